"""What tests share (fault tools, generated feeds and days): no test module imports another."""
