# /// script
# requires-python = ">=3.11,<3.12"
# dependencies = ["duckdb>=1.1,<2"]
# ///
"""Open the BI file with a DuckDB 1.x client, as BI drivers that bundle 1.x do; print JSON."""

import json
import sys

import duckdb

conn = duckdb.connect(sys.argv[1], read_only=True)
tables = conn.execute(
    "select table_schema || '.' || table_name from information_schema.tables order by 1"
).fetchall()
counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}
print(json.dumps({"duckdb": duckdb.__version__, "rows": counts}))
