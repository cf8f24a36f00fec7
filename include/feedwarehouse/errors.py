"""The errors that cross a stage: raised by one step, caught by the CLI, the DAG or a later step.

Each message names what failed and where (feed id, URL, date, suite), so the one line an
operator reads is enough to act on.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """The feeds file or a setting is unusable; the message says where and why."""


class FeedFailed(RuntimeError):
    """One feed could not be fetched or parsed; the others still load and publish.

    `is_transient`: the failure may pass (timeouts, 5xx), so a later try is worth it; else it
    is deterministic (a 4xx, no data for the date, a missing Connection) and retrying is waste.
    """

    def __init__(self, message: str, *, is_transient: bool = False) -> None:
        super().__init__(message)
        self.is_transient = is_transient


class NothingDelivered(RuntimeError):
    """No feed delivered anything for the date: the run fails and nothing is published."""


class ValidationFailed(RuntimeError):
    """A critical expectation failed: nothing may be published."""


class TransformFailed(RuntimeError):
    """dbt build failed: a model or a dbt test; the message names which."""


class WriterBusy(RuntimeError):
    """Another process is writing the warehouse; runs of the warehouse never interleave."""


class NotPublished(RuntimeError):
    """The BI file does not hold the day it should by now: the daily run is late or failing."""


# What fails a whole day's run, in the CLI (exit 1) and in the DAG (a failed task): nothing is
# published and the BI file keeps the last good day.
DAY_FAILED = (NothingDelivered, ValidationFailed, TransformFailed)
