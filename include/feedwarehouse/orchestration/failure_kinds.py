"""One classification of failures for every task: deterministic (a retry cannot change it) or
transient (it may pass: timeouts, 5xx, a busy file, an OS error, a DuckLake write conflict).

Deterministic: a failed quality gate or dbt build, no data for the date, an unusable feeds
file or setting, a feed's 4xx, the BI file not published by the deadline. Transient: an error
that says so (`is_transient`), timeouts and OS-level errors, the warehouse held by another
writer, and anything unknown (a bug keeps its traceback and its retries).

No heavy import at module level: the DAG files import this (through orchestration) at parse.
"""

from __future__ import annotations

import functools


@functools.cache
def deterministic_types() -> tuple[type[BaseException], ...]:
    """The package's errors that a retry cannot change."""
    from feedwarehouse.config import ConfigError
    from feedwarehouse.errors import NothingDelivered, NotPublished
    from feedwarehouse.extract.credentials import MissingCredentials
    from feedwarehouse.quality.validate import ValidationFailed
    from feedwarehouse.transform.dbt_build import TransformFailed

    return (
        ValidationFailed,
        TransformFailed,
        NothingDelivered,
        NotPublished,
        ConfigError,
        MissingCredentials,
    )


@functools.cache
def expected_types() -> tuple[type[BaseException], ...]:
    """The package's errors that say all there is in their message: no traceback needed."""
    from feedwarehouse.errors import FeedFailed
    from feedwarehouse.warehouse import WriterBusy

    return (*deterministic_types(), FeedFailed, WriterBusy)


# what DuckLake says when another writer committed first (a retry starts from its snapshot)
LAKE_CONFLICTS = (
    "another transaction has",
    "Transaction conflict",
    "Failed to commit DuckLake transaction",
)


def is_lake_conflict(exc: BaseException) -> bool:
    """A DuckLake write conflict, also when dbt's failure (TransformFailed) reports one."""
    return any(marker in str(exc) for marker in LAKE_CONFLICTS)


def is_transient(exc: BaseException) -> bool:
    """Whether a retry of the task may succeed."""
    explicit = getattr(exc, "is_transient", None)
    if isinstance(explicit, bool):
        return explicit
    if is_lake_conflict(exc):
        return True
    return not isinstance(exc, deterministic_types())


def is_expected(exc: BaseException) -> bool:
    """A known failure, told in one line (its message names what failed and the way out)."""
    return isinstance(exc, expected_types())
