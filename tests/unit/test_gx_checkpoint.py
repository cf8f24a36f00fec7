"""GX stays quiet in task logs: its first import logs "Skipping registering function …" once
per function it registers (214 lines of a 226-line validate_raw log); quiet_gx silences that."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# the validate_raw step in a fresh interpreter (GX not imported yet), logging at INFO
VALIDATE_RAW = """
import io, logging, sys
from datetime import date
from pathlib import Path
stream = io.StringIO()
logging.basicConfig(level=logging.INFO, stream=stream, format="%(levelname)s %(name)s: %(message)s")
from feedwarehouse.orchestration import steps as pipeline
from feedwarehouse.config import data_paths, load_feeds
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse_dev.sample import generate_sample
root = Path(sys.argv[1])
sample = generate_sample(root / "sample", feeds=2, items=3, seed=7)
paths = data_paths(root / "data")
extract_all(load_feeds(sample.feeds_file), date(2026, 11, 23), paths)
pipeline.load_raw(date(2026, 11, 23), paths)
stream.truncate(0)
stream.seek(0)
pipeline.validate_raw(date(2026, 11, 23), paths)
print(stream.getvalue(), end="")
"""


def test_the_validate_raw_log_is_four_lines_not_two_hundred(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-c", VALIDATE_RAW, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "INFO feedwarehouse.quality.validate: suite raw_entries: 6 rows of raw.entries validated "
        "(6 changed rows row by row)",
        "INFO feedwarehouse.quality.validate: suite raw_fetches: 2 rows of raw.fetches validated "
        "(2 changed rows row by row)",
        "INFO feedwarehouse.quality.validate: suite raw_volume: 1 rows of raw.fetches validated "
        "(1 changed rows row by row)",
        "INFO feedwarehouse.orchestration.steps: quality results: "
        f"{tmp_path}/data/quality/results.html",
    ]
