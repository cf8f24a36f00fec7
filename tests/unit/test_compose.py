"""Deployment files, checked statically: docker-compose.yml, Dockerfile, .dockerignore,
.env.example and the `deploy` extra in pyproject.toml / uv.lock.
test_compose_celery.py checks the celery profile and the air-gapped override;
tests/integration/test_compose_cluster.py starts the stack in a real Docker engine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from feedwarehouse import config

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}
LONG_RUNNING = AIRFLOW_SERVICES - {"airflow-init"}
IMAGE = "feedwarehouse:latest"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET")
REQUIRED_REF = re.compile(r"\$\{(?P<var>[A-Z][A-Z0-9_]*):\?[^}]*\}")
# `KEY: value` (mapping) or `- KEY=value` (list) environment entries, in the raw text.
RAW_ENV_ENTRY = re.compile(
    r"^\s*(?:-\s*)?[\"']?(?P<key>[A-Z][A-Z0-9_]*)[\"']?\s*(?::|=)\s*(?P<value>.*?)\s*$",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict:
    return yaml.safe_load(compose_text)


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuation lines joined, comments dropped and ARG
    defaults substituted."""
    lines = [
        line
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    args: dict[str, str] = {}
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            rest = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), " ".join(rest.split()))
            if word.upper() == "ARG" and "=" in rest:
                name, _, default = rest.partition("=")
                args[name] = default.strip("\"'")
            instructions.append((word.upper(), rest))
    return instructions


def _env(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _volumes(service: dict) -> list[str]:
    return [v if isinstance(v, str) else f"{v['source']}:{v['target']}" for v in service["volumes"]]


def _required_vars(text: str) -> set[str]:
    """Variables referenced as ${VAR:?...} outside full-line comments."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return {match["var"] for match in REQUIRED_REF.finditer(code)}


# docker-compose.yml


def test_compose_has_exactly_the_airflow_3_stack(compose: dict) -> None:
    assert "version" not in compose, "the Compose spec has no top-level version key"
    default = {name for name, svc in compose["services"].items() if not svc.get("profiles")}
    assert default == {"postgres", *AIRFLOW_SERVICES}


def test_postgres_is_healthchecked_and_persistent(compose: dict) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in _volumes(postgres))
    assert _env(postgres)["POSTGRES_USER"] == "airflow"
    assert _env(postgres)["POSTGRES_DB"] == "airflow"


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_airflow_service_uses_the_common_image_and_settings(compose: dict, name: str) -> None:
    service = compose["services"][name]
    env = _env(service)
    assert service["image"] == IMAGE
    build = service["build"]
    assert (build if isinstance(build, str) else build["context"]) in {".", "./"}
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    conn = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert re.fullmatch(
        r"postgresql\+psycopg2://airflow:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres(:5432)?/airflow",
        conn,
    )
    assert (
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    )
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/feedwarehouse/dags"
    assert env["FEEDWAREHOUSE_DATA_DIR"] == "/data"
    assert "FEEDWAREHOUSE_FEEDS" in env
    for key in (
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__CORE__FERNET_KEY",
    ):
        assert REQUIRED_REF.fullmatch(env[key]), f"{name}: {key} must be a required ${{VAR:?}}"
    assert "warehouse-data:/data" in _volumes(service), f"{name} must mount warehouse-data rw"
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_airflow_components_wait_for_the_migration(compose: dict, name: str) -> None:
    depends_on = compose["services"][name]["depends_on"]
    assert depends_on["airflow-init"]["condition"] == "service_completed_successfully"


def test_each_component_runs_its_airflow_command(compose: dict) -> None:
    services = compose["services"]
    commands = {name: " ".join(services[name]["command"]) for name in AIRFLOW_SERVICES}
    assert commands == {
        "airflow-init": "bash -c airflow db migrate && "
        'airflow pools set feedwarehouse_writer 1 "DuckDB has one writer"',
        "airflow-apiserver": "airflow api-server",
        "airflow-scheduler": "airflow scheduler",
        "airflow-dag-processor": "airflow dag-processor",
        "airflow-triggerer": "airflow triggerer",
    }
    assert "airflow-init" not in services["airflow-init"]["depends_on"]


def test_apiserver_publishes_8080_and_checks_its_health(compose: dict) -> None:
    apiserver = compose["services"]["airflow-apiserver"]
    assert any(str(port).endswith(":8080") for port in apiserver["ports"])
    probe = " ".join(apiserver["healthcheck"]["test"])
    assert re.search(r"localhost:8080/api/v2/(version|monitor/health)", probe)


def test_warehouse_volume_is_declared(compose: dict, compose_text: str) -> None:
    assert "warehouse-data" in compose["volumes"]
    assert "/data/published/warehouse.duckdb" in compose_text, "say where BI mounts the file"


def test_no_secret_literal_in_compose(compose: dict, compose_text: str) -> None:
    entries = [m for m in RAW_ENV_ENTRY.finditer(compose_text) if SECRET_NAME.search(m["key"])]
    assert entries, "the regex found no secret variables at all: is it still matching?"
    for match in entries:
        value = match["value"].strip("\"'")
        assert REQUIRED_REF.fullmatch(value), f"{match['key']} = {value!r}: use ${{VAR:?...}}"
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_REF.fullmatch(value), f"{name}: {key} = {value!r}"
    # A required variable never falls back to a default anywhere in the file.
    for var in _required_vars(compose_text):
        assert f"${{{var}:-" not in compose_text
        assert f"${{{var}-" not in compose_text


def test_env_example_lists_every_required_variable(compose_text: str) -> None:
    defined = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            defined[key.strip()] = value.strip()
    required = _required_vars(compose_text)
    assert required >= {
        "POSTGRES_PASSWORD",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_FERNET_KEY",
    }
    assert required <= set(defined), f"missing in .env.example: {required - set(defined)}"
    for var in required:
        assert defined[var] == "", f"{var} in .env.example must be empty: no default password"


# Dockerfile and .dockerignore


def test_dockerfile_installs_from_the_lock_as_non_root(dockerfile: list[tuple[str, str]]) -> None:
    assert dockerfile[:2] == [
        ("ARG", "PYTHON_IMAGE=python:3.11-slim"),
        ("FROM", "python:3.11-slim"),
    ]
    runs = [args for word, args in dockerfile if word == "RUN"]
    syncs = [args for args in runs if "uv sync" in args]
    assert len(syncs) == 2
    for sync in syncs:
        for flag in ("--frozen", "--no-dev", "--extra deploy"):
            assert flag in sync
        assert "--no-editable" not in sync, "config.py finds dbt_project/ next to the sources"
    assert "--no-install-project" in syncs[0]
    assert "--no-install-project" not in syncs[1]
    assert any(re.search(r"uv==\d+\.\d+\.\d+", args) for args in runs) or any(
        re.search(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", args)
        for word, args in dockerfile
        if word == "COPY"
    ), "pin the uv version"
    users = [args for word, args in dockerfile if word == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert any("--uid 50000" in args and "airflow" in args for args in runs)
    env = " ".join(args for word, args in dockerfile if word == "ENV")
    for setting in (
        "AIRFLOW_HOME=/opt/airflow",
        "FEEDWAREHOUSE_DATA_DIR=/data",
        "FEEDWAREHOUSE_FEEDS=/opt/feedwarehouse/feeds.yml",
    ):
        assert setting in env
    assert re.search(r"PATH=\"?/opt/feedwarehouse/\.venv/bin:", env)
    assert ("WORKDIR", "/opt/feedwarehouse") in dockerfile


def test_dockerfile_copies_the_lock_before_the_sources(dockerfile: list[tuple[str, str]]) -> None:
    steps = [(word, args) for word, args in dockerfile if word in {"COPY", "RUN"}]
    first_copy = next(i for i, (word, _) in enumerate(steps) if word == "COPY")
    assert set(steps[first_copy][1].split()[:-1]) == {"pyproject.toml", "uv.lock", "README.md"}
    assert "--no-install-project" in steps[first_copy + 1][1]


def test_dockerfile_copies_everything_the_image_needs(dockerfile: list[tuple[str, str]]) -> None:
    sources = set()
    for word, args in dockerfile:
        if word == "COPY" and "--from" not in args:
            sources.update(part.rstrip("/") for part in args.split()[:-1])
    # What feedwarehouse.config resolves next to the sources, plus the package and the DAGs.
    needed = {"include", "dags"} | {
        path.relative_to(config.REPO_ROOT).parts[0]
        for path in (config.DBT_PROJECT_DIR, config.EXPECTATIONS_DIR, config.DEFAULT_FEEDS_FILE)
    }
    assert needed == {"include", "dags", "dbt_project", "expectations", "feeds.yml"}
    assert needed <= sources, f"not copied into the image: {needed - sources}"


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "data", ".airflow", ".git", "dbt_project/target", "logs"} <= ignored
    assert not ignored & {"include", "dags", "dbt_project", "expectations", "feeds.yml", "uv.lock"}


# The `deploy` extra


def test_deploy_extra_is_declared_and_locked() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deploy = pyproject["project"]["optional-dependencies"]["deploy"]
    names = {re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0] for requirement in deploy}
    assert names == {
        "apache-airflow-providers-postgres",
        "psycopg2-binary",
        "apache-airflow-providers-celery",
        "celery",
        "redis",
    }

    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = {package["name"]: package for package in lock["package"]}
    assert {"psycopg2-binary", "apache-airflow-providers-postgres"} <= set(packages)
    # celery 5.7 removed what the provider imports (tests/integration/test_celery_worker.py)
    assert tuple(map(int, packages["celery"]["version"].split(".")[:2])) < (5, 7)
    locked_extra = packages["feedwarehouse"]["optional-dependencies"]["deploy"]
    assert {dependency["name"] for dependency in locked_extra} == names
