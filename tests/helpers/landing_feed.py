"""One small feed and a fast fetch policy, shared by the store and extraction tests."""

from __future__ import annotations

import hashlib
from datetime import date

from feedwarehouse.extract.fetch_policy import FetchPolicy

DAY = date(2026, 11, 23)
FAST = FetchPolicy(
    attempts=2, backoff_base=0, connect_timeout=2, read_timeout=2, allow_private=True
)
RSS = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Blog — ünï</title>'
    "<item><title>One</title><guid>g1</guid></item></channel></rss>\n"
).encode()
SHA = hashlib.sha256(RSS).hexdigest()
