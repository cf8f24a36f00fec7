"""Benchmarks of the feed warehouse against its peers and the physical limit (`make bench`)."""
