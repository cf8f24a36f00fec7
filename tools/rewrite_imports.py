"""Rewrite references to the flat package's modules to the stage layout (issue 22).

Usage: python tools/rewrite_imports.py [PATH ...]   (default: the repository's tracked text files)

Rewrites `from feedwarehouse import old` to `from feedwarehouse.stage import new as old` (so the
code below the import keeps its names), dotted `feedwarehouse.old` (imports, mock targets,
docs) and `include/feedwarehouse/old.py` paths. Safe to run twice: a name already moved is left.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# old module -> new dotted module (under feedwarehouse. unless it starts with feedwarehouse_dev.)
MOVES = {
    "extract": "extract.feeds",
    "extract_batches": "extract.batches",
    "fetch": "extract.fetch",
    "fetch_policy": "extract.fetch_policy",
    "http_get": "extract.http_get",
    "credentials": "extract.credentials",
    "land": "extract.land",
    "parse": "parse.feed",
    "entry_fields": "parse.entry_fields",
    "xml_guard": "parse.xml_guard",
    "charset": "parse.charset",
    "entry_scan": "parse.entry_scan",
    "jsonfeed": "parse.jsonfeed",
    "namespaces": "parse.namespaces",
    "urls": "parse.urls",
    "wellformed": "parse.wellformed",
    "landing_notes": "extract.landing_notes",
    "retire": "quality.retire",
    "quality_notes": "quality.quality_notes",
    "failure_kinds": "orchestration.failure_kinds",
    "local_secrets": "feedwarehouse_dev.local_secrets",
    "load": "load.raw",
    "validate": "quality.validate",
    "table_checks": "quality.table_checks",
    "gx_checkpoint": "quality.gx_checkpoint",
    "suite_rows": "quality.suite_rows",
    "quality_page": "quality.quality_page",
    "reports": "quality.reports",
    "transform": "transform.dbt_build",
    "dbt_plugin": "transform.dbt_plugin",
    "publish": "publish.bi_file",
    "pipeline": "orchestration.steps",
    "orchestration": "orchestration.airflow_tasks",
    "alerts": "orchestration.alerts",
    "local_airflow": "feedwarehouse_dev.local_airflow",
    "local_postgres": "feedwarehouse_dev.local_postgres",
    "local_processes": "feedwarehouse_dev.local_processes",
    "deploy": "feedwarehouse_dev.deploy",
    "sample": "feedwarehouse_dev.sample",
    "sample_posts": "feedwarehouse_dev.sample_posts",
    "sample_rss": "feedwarehouse_dev.sample_rss",
    "sample_words": "feedwarehouse_dev.sample_words",
}


# names that left their module after the move (issue 22's later commits): new home by name
NAME_MOVES = {
    "feedwarehouse.orchestration.steps": {
        "run_all": "feedwarehouse.orchestration.daily",
        "RunSummary": "feedwarehouse.orchestration.daily",
        "FeedFailed": "feedwarehouse.errors",
        "NothingDelivered": "feedwarehouse.errors",
        "NotPublished": "feedwarehouse.errors",
        "extract_feed": "feedwarehouse.extract.batches",
        "require_landed": "feedwarehouse.extract.batches",
    },
}
# `pipeline.<name>` where `pipeline` is the old module's name bound by the rewrite above
ATTRIBUTE_MOVES = {
    "pipeline.run_all": "daily.run_all",
    "pipeline.FeedFailed": "errors.FeedFailed",
    "pipeline.NothingDelivered": "errors.NothingDelivered",
    "pipeline.NotPublished": "errors.NotPublished",
    "pipeline.extract_feed": "batches.extract_feed",
    "pipeline.require_landed": "batches.require_landed",
}


def _full(new: str) -> str:
    return new if new.startswith("feedwarehouse_dev.") else f"feedwarehouse.{new}"


# a new package that has an old module's name: `feedwarehouse.extract.fetch` is already moved
_CHILDREN: dict[str, set[str]] = {}
for _new in MOVES.values():
    if not _new.startswith("feedwarehouse_dev."):
        package, module = _new.split(".")
        _CHILDREN.setdefault(package, set()).add(module)
_CHILDREN["orchestration"].add("daily")  # modules new in the stage packages
_CHILDREN["parse"].add("verdicts")

_FROM_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from feedwarehouse import (?:\((?P<group>[^)]*)\)|(?P<line>[^\n#]+))",
    re.MULTILINE,
)


def _dotted(match: re.Match[str]) -> str:
    old, rest, imported = match.group(1), match.group(2) or "", match.group(3)
    children = _CHILDREN.get(old, ())
    if (rest and rest[1:] in children) or (imported and imported.split()[-1] in children):
        return match.group(0)
    return _full(MOVES[old]) + rest + (imported or "")


_DOTTED = re.compile(
    r"(?<![\w.])feedwarehouse\.(" + "|".join(sorted(MOVES, key=len, reverse=True)) + r")\b"
    r"(\.\w+)?(\s+import\s+\w+)?"
)
_PATH = re.compile(
    r"include/feedwarehouse/(" + "|".join(sorted(MOVES, key=len, reverse=True)) + r")\.py\b"
)


def _path(match: re.Match[str]) -> str:
    new = MOVES[match.group(1)]
    if new.startswith("feedwarehouse_dev."):
        return f"include/{new.replace('.', '/')}.py"
    return f"include/feedwarehouse/{new.replace('.', '/')}.py"


def _from_import(match: re.Match[str]) -> str:
    indent = match.group("indent")
    body = match.group("group") if match.group("group") is not None else match.group("line")
    names = [n.strip() for n in body.replace("\n", " ").split(",") if n.strip()]
    kept, lines = [], []
    for name in names:
        old, _, alias = (part.strip() for part in name.partition(" as "))
        if old not in MOVES:
            kept.append(name)
            continue
        package, _, module = _full(MOVES[old]).rpartition(".")
        bound = alias or old
        suffix = "" if bound == module else f" as {bound}"
        lines.append(f"{indent}from {package} import {module}{suffix}")
    if not lines:
        return match.group(0)
    if kept:
        lines.insert(0, f"{indent}from feedwarehouse import {', '.join(kept)}")
    return "\n".join(lines)


_NAMED_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from (?P<module>"
    + "|".join(re.escape(m) for m in NAME_MOVES)
    + r") import (?:\((?P<group>[^)]*)\)|(?P<line>[^\n#]+))",
    re.MULTILINE,
)


def _named_import(match: re.Match[str]) -> str:
    """`from steps import run_all, writer`: `run_all` from daily, `writer` still from steps."""
    indent, module = match.group("indent"), match.group("module")
    body = match.group("group") if match.group("group") is not None else match.group("line")
    homes: dict[str, list[str]] = {}
    for name in (n.strip() for n in body.replace("\n", " ").split(",") if n.strip()):
        homes.setdefault(NAME_MOVES[module].get(name.split(" as ")[0].strip(), module), []).append(
            name
        )
    if list(homes) == [module]:
        return match.group(0)
    return "\n".join(
        f"{indent}from {home} import {', '.join(names)}" for home, names in homes.items()
    )


def rewrite(text: str) -> str:
    text = _FROM_IMPORT.sub(_from_import, text)
    text = _DOTTED.sub(_dotted, text)
    text = _NAMED_IMPORT.sub(_named_import, text)
    return _PATH.sub(_path, text)


SUFFIXES = {".py", ".md", ".yml", ".yaml", ".toml", ".cfg", ".ini", ".txt"}
NAMES = {"Makefile", "Dockerfile"}


def _files(args: list[str]) -> list[Path]:
    if args:
        return [Path(a) for a in args]
    listed = subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        Path(p)
        for p in listed
        if (Path(p).suffix in SUFFIXES or Path(p).name in NAMES)
        and not p.startswith("tools/rewrite_imports")
    ]


def main(argv: list[str]) -> int:
    changed = 0
    for path in _files(argv):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        new = rewrite(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
            print(f"rewrote {path}")
    print(f"{changed} files rewritten; now run: ruff check --select I --fix . && ruff format .")
    used = [
        f"{path}: {old}"
        for path in _files(argv)
        if path.is_file()
        for old in ATTRIBUTE_MOVES
        if old in path.read_text(encoding="utf-8")
    ]
    for line in used:  # the module alias may be bound to something else: a person decides
        new = ATTRIBUTE_MOVES[line.split(": ")[1]]
        print(f"moved elsewhere, import it from its new home: {line} -> {new}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
