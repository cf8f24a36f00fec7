"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedwarehouse.config import Paths, data_paths


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """A fresh data directory's paths (a module may define its own `paths` instead)."""
    return data_paths(tmp_path / "data")
