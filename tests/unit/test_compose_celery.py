"""The compose `celery` profile and the air-gapped override, checked statically
(tests/integration/test_compose_cluster.py runs them)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_compose import AIRFLOW_SERVICES, COMPOSE, IMAGE

AIRGAP = Path(__file__).resolve().parents[2] / "docker-compose.airgap.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_celery_profile_adds_a_broker_a_writer_worker_and_extract_workers(compose: dict) -> None:
    services = compose["services"]
    profiled = {name: svc["profiles"] for name, svc in services.items() if svc.get("profiles")}
    assert profiled == {
        "redis": ["celery"],
        "airflow-worker": ["celery"],
        "airflow-worker-writer": ["celery"],
    }
    extract, writer = services["airflow-worker"], services["airflow-worker-writer"]
    assert extract["command"] == ["airflow", "celery", "worker", "--queues", "default"]
    assert writer["command"] == [
        "airflow", "celery", "worker", "--queues", "writer", "--concurrency", "1"
    ]  # fmt: skip  # argv: flags by values
    assert writer["hostname"] == "airflow-worker-writer"
    for worker in (extract, writer):
        assert worker["image"] == IMAGE
        assert worker["depends_on"]["redis"] == {"condition": "service_healthy"}
        env = worker["environment"]
        assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://airflow:${")
    # the writer holds the warehouse; extract workers reach the landing zone only
    assert {"warehouse-data:/data", "landing:/data/landing"} <= set(writer["volumes"])
    assert set(extract["volumes"]) == {"landing:/data/landing", "airflow-home:/opt/airflow"}


def test_airgap_override_swaps_only_the_base_images() -> None:
    airgap = yaml.safe_load(AIRGAP.read_text(encoding="utf-8"))["services"]
    assert airgap.pop("postgres") == {
        "image": "feedwarehouse-airgap/postgres:15",
        "pull_policy": "never",
    }
    assert airgap.pop("redis") == {"image": "feedwarehouse-airgap/redis:7", "pull_policy": "never"}
    assert set(airgap) == AIRFLOW_SERVICES | {"airflow-worker", "airflow-worker-writer"}
    for name, service in airgap.items():
        assert service == {
            "build": {"context": ".", "args": {"PYTHON_IMAGE": "feedwarehouse-airgap/python:3.11"}}
        }, name
