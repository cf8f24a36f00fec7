"""Load: landed payloads into the raw tables, one transaction per fetch."""
