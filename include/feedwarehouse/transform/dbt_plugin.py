"""dbt-duckdb plugin: SQL functions the dbt models need that DuckDB lacks (HTML, Unicode names).

profiles.yml lists this module under `plugins:`; dbt-duckdb calls `update_connection_config`
before it opens the database (so dbt's DuckDB gets the same settings as the package's:
warehouse.duckdb_config) and `configure_connection` on every connection it opens (each node,
since the profile sets keep_open: false).
"""

from __future__ import annotations

from typing import Any

import nh3
from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from feedwarehouse import failpoints, text
from feedwarehouse.lake import load_extensions
from feedwarehouse.settings import settings
from feedwarehouse.warehouse import duckdb_config


def sanitize_html(html: str | None) -> str | None:
    """Feed HTML made safe to render: scripts, event handlers and javascript: URLs removed.

    nh3's defaults keep structure (headings, lists, tables, links, images) and drop the
    contents of <script> and <style>. Null stays null.
    """
    return None if html is None else nh3.clean(html)


def _sanitize_html_at_failpoint(html: str | None) -> str | None:
    """sanitize_html, registered instead of it only while the fault suite arms its failpoint:
    the check reads the settings, which cost more than nh3 itself on every row."""
    failpoints.hit(SANITIZE_FAILPOINT)
    return sanitize_html(html)


SANITIZE_FAILPOINT = "dbt.sanitize_html"
# SQL name -> Python function, each varchar -> varchar (null in, null out)
FUNCTIONS = {
    "sanitize_html": sanitize_html,
    "html_to_text": text.html_to_text,
    "display_name": text.display_name,
    "name_key": text.name_key,
    "slugify": text.slugify,
}


class Plugin(BasePlugin):
    """Opens dbt's database with the run's DuckDB settings; registers FUNCTIONS on it."""

    def update_connection_config(self, creds: DuckDBCredentials, config: dict[str, Any]) -> None:
        config.update(duckdb_config())

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if settings().warehouse == "ducklake":
            load_extensions(conn)  # before dbt-duckdb attaches the lake (profiles.yml `lake`)
        functions = dict(FUNCTIONS)
        if failpoints.armed(SANITIZE_FAILPOINT):
            functions["sanitize_html"] = _sanitize_html_at_failpoint
        for name, function in functions.items():
            # "special": null is passed in (and may come back: a name of whitespace alone)
            conn.create_function(
                name,
                function,
                ["VARCHAR"],
                "VARCHAR",
                null_handling="special",
                side_effects=False,
            )
