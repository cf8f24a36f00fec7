"""The `feedwarehouse` command: run the pipeline, generate sample feeds, report a warehouse."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from feedwarehouse.config import data_paths, feeds_file, load_feeds
from feedwarehouse.errors import ConfigError

EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the warehouse, try again later


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedwarehouse", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="fetch, load, validate, transform and publish one date")
    run.add_argument("--feeds", type=Path, help="feeds file (default: $FEEDWAREHOUSE_FEEDS)")
    run.add_argument("--date", type=_iso_date, required=True, help="logical date, YYYY-MM-DD")
    run.add_argument("--data-dir", type=Path, help="default: $FEEDWAREHOUSE_DATA_DIR or ./data")
    run.add_argument(
        "--today",
        type=_iso_date,
        default=datetime.now(UTC).date(),
        help="wall-clock date (default: today, UTC); a --date before yesterday is a backfill, "
        "read from archive_url or the landing zone, never from the live feed",
    )
    run.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="if another run is writing the warehouse, wait up to SECONDS for it (default 0: "
        f"refuse at once with exit code {EXIT_BUSY})",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every mart from all of raw (after an upgrade that changes the models)",
    )
    run.set_defaults(handler=_run)

    backfill = commands.add_parser(
        "backfill",
        help="fetch, load and validate each date from --start to --end, then transform, "
        "validate and publish them once",
    )
    backfill.add_argument("--feeds", type=Path, help="feeds file (default: $FEEDWAREHOUSE_FEEDS)")
    backfill.add_argument("--start", type=_iso_date, required=True, help="first date, YYYY-MM-DD")
    backfill.add_argument("--end", type=_iso_date, required=True, help="last date, YYYY-MM-DD")
    backfill.add_argument(
        "--data-dir", type=Path, help="default: $FEEDWAREHOUSE_DATA_DIR or ./data"
    )
    backfill.add_argument(
        "--today", type=_iso_date, default=datetime.now(UTC).date(), help="as for run"
    )
    backfill.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="as for run")
    backfill.set_defaults(handler=_backfill)

    sample = commands.add_parser("sample", help="write synthetic WordPress feeds + feeds.yml")
    sample.add_argument("--out", type=Path, required=True, help="output directory")
    sample.add_argument("--feeds", type=int, default=2, help="number of feeds (default 2)")
    sample.add_argument("--items", type=int, default=20, help="items per feed (default 20)")
    sample.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    sample.add_argument(
        "--end-date",
        type=_iso_date,
        default=None,
        help="date of the newest post, YYYY-MM-DD (default: a fixed date, the same feeds each "
        "time)",
    )
    sample.add_argument(
        "--archive-days",
        type=int,
        default=0,
        metavar="N",
        help="also write each feed as it stood on each of the N days up to --end-date and set "
        "archive_url, so backfills of those dates have data (default 0: none)",
    )
    sample.set_defaults(handler=_sample)

    summary = commands.add_parser("summary", help="report what the published BI file holds")
    summary.add_argument("--data-dir", type=Path, help="default: $FEEDWAREHOUSE_DATA_DIR or ./data")
    summary.set_defaults(handler=_summary)

    retire = commands.add_parser(
        "retire",
        help="take a post out of every mart and the BI file (garbage, or retracted by its "
        "publisher); the gate then accepts its absence",
    )
    retire.add_argument("post_id", metavar="POST_ID", help="marts.posts.post_id")
    retire.add_argument("--reason", required=True, help="why it must go (kept with the record)")
    retire.add_argument("--by", help="who retires it (default: the current user)")
    retire.add_argument("--data-dir", type=Path, help="default: $FEEDWAREHOUSE_DATA_DIR or ./data")
    retire.set_defaults(handler=_retire)

    env = commands.add_parser(
        "deploy-env", help="write the compose stack's .env with freshly generated secrets"
    )
    env.add_argument("--example", type=Path, default=Path(".env.example"), help="template")
    env.add_argument("--out", type=Path, default=Path(".env"), help="kept if it exists")
    env.set_defaults(handler=_deploy_env)

    inspect = commands.add_parser(
        "inspect", help="per entry of a feed, what it becomes in posts, tags and authors, and why"
    )
    inspect.add_argument("source", metavar="URL|FILE", help="a feed URL or a local feed file")
    inspect.add_argument(
        "--allow-private-host",
        action="store_true",
        help="allow a URL on a loopback or private address (an intranet feed, a test server)",
    )
    inspect.set_defaults(handler=_inspect)

    replay = commands.add_parser(
        "replay", help="rebuild one date's raw tables from the landing zone alone (no network)"
    )
    replay.add_argument("--date", type=_iso_date, required=True, help="logical date, YYYY-MM-DD")
    replay.add_argument("--data-dir", type=Path, help="default: $FEEDWAREHOUSE_DATA_DIR or ./data")
    replay.set_defaults(handler=_replay)
    return parser


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _run(args: argparse.Namespace) -> int:
    from feedwarehouse.errors import DAY_FAILED, WriterBusy
    from feedwarehouse.orchestration.daily import run_all  # heavy imports only for this command
    from feedwarehouse.quality.reports import closing_report

    paths = data_paths(args.data_dir)
    feeds = load_feeds(feeds_file(args.feeds))
    try:
        summary = run_all(
            feeds,
            args.date,
            paths,
            today=args.today,
            lock_timeout=args.wait,
            full_refresh=args.full_refresh,
        )
    except DAY_FAILED as exc:  # the DAG fails the same day at the same step
        print(f"error: nothing was published for {args.date}: {exc}", file=sys.stderr)
        return 1
    except WriterBusy as exc:
        print(f"error: {args.date} not run: {exc}", file=sys.stderr)
        return EXIT_BUSY
    for feed_id, error in summary.failed.items():
        print(f"error: feed {feed_id} failed for {args.date}: {error}", file=sys.stderr)
    for feed_id, warning in summary.warned.items():
        print(f"warning: feed {feed_id} for {args.date}: {warning}", file=sys.stderr)
    print(closing_report(paths, args.date, summary.mart_rows))
    return 0 if summary.ok else 1


def _backfill(args: argparse.Namespace) -> int:
    from feedwarehouse.errors import WriterBusy
    from feedwarehouse.orchestration.backfill import report, run_backfill

    paths = data_paths(args.data_dir)
    feeds = load_feeds(feeds_file(args.feeds))
    try:
        summary = run_backfill(
            feeds, args.start, args.end, paths, today=args.today, lock_timeout=args.wait
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except WriterBusy as exc:
        print(f"error: {args.start} to {args.end} not run: {exc}", file=sys.stderr)
        return EXIT_BUSY
    return report(summary, paths)


def _sample(args: argparse.Namespace) -> int:
    # developer tooling, beside the runtime package: imported only by this command
    from feedwarehouse_dev.sample import ARCHIVE_DIR, DEFAULT_END_DATE, generate_sample

    try:
        sample = generate_sample(
            args.out,
            feeds=args.feeds,
            items=args.items,
            seed=args.seed,
            end_date=args.end_date or DEFAULT_END_DATE,
            archive_days=args.archive_days,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(sample.feeds)} feeds, {sample.post_count} posts: {sample.feeds_file}")
    if sample.archive_days:
        first, last = sample.archive_days[0], sample.archive_days[-1]
        print(f"with archives for {first} to {last}: {sample.out_dir / ARCHIVE_DIR}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from feedwarehouse.inspect import InspectError, describe_feed, read_feed

    try:
        feed = read_feed(args.source, allow_private_host=args.allow_private_host)
    except InspectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(describe_feed(feed))
    return 0


def _deploy_env(args: argparse.Namespace) -> int:
    from feedwarehouse_dev.deploy import write_env

    try:
        filled = write_env(args.example, args.out)
    except FileExistsError as exc:
        print(f"{exc}", file=sys.stderr)
        return 0
    print(f"wrote {args.out} (mode 600) with new secrets: {', '.join(filled)}")
    return 0


def _retire(args: argparse.Namespace) -> int:
    from feedwarehouse.quality.retire import UnknownPost, retire_post

    paths = data_paths(args.data_dir)
    try:
        done = retire_post(paths, args.post_id, args.reason, by=args.by)
    except (UnknownPost, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    title = f" ({done.title!r})" if done.title else ""
    print(
        f"retired post {done.post_id}{title} by {done.retired_by}: {done.reason}\n"
        "It leaves the marts at the next dbt build and the BI file at the next publish: rerun "
        "the date (`feedwarehouse run --date D`, or clear transform with Downstream)."
    )
    return 0


def _replay(args: argparse.Namespace) -> int:
    from feedwarehouse.extract.land import landed_manifests
    from feedwarehouse.orchestration.steps import load_raw

    paths = data_paths(args.data_dir)
    if not landed_manifests(paths, args.date):
        print(f"error: nothing landed for {args.date} in {paths.landing_dir}", file=sys.stderr)
        return 1
    summary = load_raw(args.date, paths)
    for feed_id, entries in summary.loaded.items():
        unchanged = " (unchanged payload)" if feed_id in summary.unchanged else ""
        print(f"replayed {feed_id} for {args.date}: {entries} entries{unchanged}")
    for feed_id, error in summary.failed.items():
        print(f"error: feed {feed_id} failed for {args.date}: {error}", file=sys.stderr)
    return 0 if not summary.failed else 1


def _summary(args: argparse.Namespace) -> int:
    from feedwarehouse.quality.reports import closing_report

    paths = data_paths(args.data_dir)
    published = paths.published
    if not published.exists():
        print(f"error: {published} does not exist yet: no run has published", file=sys.stderr)
        return 1
    print(closing_report(paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
