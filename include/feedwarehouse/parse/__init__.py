"""Parse: a landed payload into feed and entry records (feedparser, guarded against hostile XML)."""
