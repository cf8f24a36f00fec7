"""dbt-duckdb plugin: SQL functions the dbt models need that DuckDB lacks (HTML sanitizing).

profiles.yml lists this module under `plugins:`; dbt-duckdb calls `configure_connection` on
every connection it opens (each node, since the profile sets keep_open: false).
"""

from __future__ import annotations

import nh3
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from feedwarehouse import failpoints


def sanitize_html(html: str) -> str:
    """Feed HTML made safe to render: scripts, event handlers and javascript: URLs removed.

    nh3's defaults keep structure (headings, lists, tables, links, images) and drop the
    contents of <script> and <style>; null never reaches here (DuckDB returns null for it).
    """
    failpoints.hit("dbt.sanitize_html")
    return nh3.clean(html)


class Plugin(BasePlugin):
    """Registers sanitize_html(varchar) -> varchar on each dbt connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "sanitize_html", sanitize_html, ["VARCHAR"], "VARCHAR", side_effects=False
        )
