"""Extract: fetch each feed and land its payload, unchanged, in the landing zone."""
