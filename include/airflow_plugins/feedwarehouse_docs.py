"""Airflow UI plugin: the dbt docs and the quality results pages, both readable offline.

The api-server serves the two files the pipeline writes under $FEEDWAREHOUSE_DATA_DIR
(`make airflow` points AIRFLOW__CORE__PLUGINS_FOLDER here); two entries in the UI's navigation
show them inside Airflow. Neither page loads anything from the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

from feedwarehouse.config import data_paths
from feedwarehouse.quality.quality_page import quality_page_path
from feedwarehouse.transform.dbt_build import static_docs_page

URL_PREFIX = "/feedwarehouse/docs"

docs_app = FastAPI(title="Feed warehouse docs")


def _page(path: Path, what: str) -> FileResponse | HTMLResponse:
    if path.is_file():
        return FileResponse(path, media_type="text/html")
    return HTMLResponse(
        f"<!doctype html><meta charset='utf-8'><title>{what}</title><p>No {what} yet: "
        f"{path} is written by the first run of feed_warehouse_daily.</p>",
        status_code=404,
    )


@docs_app.get("/dbt", response_model=None)
def dbt_docs() -> FileResponse | HTMLResponse:
    """`dbt docs generate --static`: models, columns, tests and lineage in one page."""
    return _page(static_docs_page(data_paths()), "dbt docs")


@docs_app.get("/quality", response_model=None)
def quality_results() -> FileResponse | HTMLResponse:
    """The latest Great Expectations results per suite and date, from quality.validation_runs."""
    return _page(quality_page_path(data_paths()), "quality results")


class FeedwarehouseDocsPlugin(AirflowPlugin):
    name = "feedwarehouse_docs"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": docs_app, "url_prefix": URL_PREFIX, "name": "Feed warehouse docs"}
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {
            "name": "dbt docs (feed warehouse)",
            "href": f"{URL_PREFIX.lstrip('/')}/dbt",
            "url_route": "feedwarehouse-dbt-docs",
            "destination": "nav",
            "category": "docs",
        },
        {
            "name": "Quality results (feed warehouse)",
            "href": f"{URL_PREFIX.lstrip('/')}/quality",
            "url_route": "feedwarehouse-quality",
            "destination": "nav",
            "category": "docs",
        },
    ]
