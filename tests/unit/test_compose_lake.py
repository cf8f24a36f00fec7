"""The DuckLake overlay (docker-compose.lake.yml), checked statically; the compose test
(tests/integration/test_compose_cluster.py) runs it."""

from __future__ import annotations

from pathlib import Path

import yaml
from test_compose import AIRFLOW_SERVICES, COMPOSE, ENV_EXAMPLE, _required_vars

ROOT = Path(__file__).resolve().parents[2]
LAKE = ROOT / "docker-compose.lake.yml"
WORKERS = {"airflow-worker", "airflow-worker-writer"}


def test_every_airflow_container_gets_the_lake_and_its_data_volume() -> None:
    overlay = yaml.safe_load(LAKE.read_text(encoding="utf-8"))["services"]
    assert set(overlay) == AIRFLOW_SERVICES | WORKERS
    for name, service in overlay.items():
        env = service["environment"]
        assert env["FEEDWAREHOUSE_WAREHOUSE"] == "ducklake", name
        assert env["FEEDWAREHOUSE_LAKE_DATA"] == "/lake", name
        assert env["FEEDWAREHOUSE_LAKE_CATALOG"] == (
            "host=postgres dbname=lake user=lake "
            "password=${LAKE_PASSWORD:?set LAKE_PASSWORD in .env}"
        ), name
        assert service["volumes"] == ["lake-data:/lake"], name
    base = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert "lake-data" in base["volumes"]  # so `make down VOLUMES=1` removes it without -f lake


def test_airflow_init_prepares_the_catalog_then_does_what_it_did() -> None:
    overlay = yaml.safe_load(LAKE.read_text(encoding="utf-8"))["services"]
    base = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    command, before = overlay["airflow-init"]["command"], base["airflow-init"]["command"]
    assert command[:2] == ["bash", "-c"] == before[:2]
    assert command[2] == f"python -m feedwarehouse_dev.lake_roles && {before[2]}"
    env = overlay["airflow-init"]["environment"]
    assert (env["PGHOST"], env["PGUSER"]) == ("postgres", "airflow")


def test_the_lake_secrets_are_generated_like_the_others() -> None:
    defined = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    required = _required_vars(LAKE.read_text(encoding="utf-8"))
    assert required == {"LAKE_PASSWORD", "BI_READER_PASSWORD", "POSTGRES_PASSWORD"}
    assert {var: defined[var] for var in required} == dict.fromkeys(required, "")


def test_compose_sh_adds_the_overlay_only_for_the_lake() -> None:
    script = (ROOT / "include/compose/compose.sh").read_text(encoding="utf-8")
    assert '[ "${WAREHOUSE:-file}" = ducklake ] && files+=(-f docker-compose.lake.yml)' in script
