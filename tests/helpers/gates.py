"""Suites made to fail: a gate that stops a run on rows that are fine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from feedwarehouse.config import EXPECTATIONS_DIR


def strict_suites(folder: Path, max_words: int) -> Path:
    """Our suites, with marts.posts' word_count capped so that real posts break it."""
    shutil.copytree(EXPECTATIONS_DIR, folder)
    suite_file = folder / "marts_posts.json"
    suite = json.loads(suite_file.read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "word_count", "max_value": max_words},
            "severity": "critical",
        }
    )
    suite_file.write_text(json.dumps(suite))
    return folder
