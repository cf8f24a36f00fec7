"""The local stack's and the compose stack's secrets: owner-only files, a 64-byte HMAC key."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

from feedwarehouse_dev.deploy import write_env
from feedwarehouse_dev.local_airflow import backfillable
from feedwarehouse_dev.local_secrets import (
    HMAC_KEY_BYTES,
    restrict_generated_secrets,
    stack_secrets,
    write_private,
)
from feedwarehouse_dev.sample import generate_sample


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_stack_secrets_are_owner_only_and_the_jwt_key_is_64_bytes(tmp_path: Path):
    path = tmp_path / "secrets.json"
    made = stack_secrets(path)
    assert mode(path) == 0o600
    assert len(made["jwt_secret"].encode()) >= HMAC_KEY_BYTES
    assert stack_secrets(path) == made  # kept across restarts


def test_an_older_stacks_short_jwt_key_is_replaced_and_the_rest_kept(tmp_path: Path):
    path = tmp_path / "secrets.json"
    old = {"postgres_password": "pg", "fernet_key": "f", "api_secret_key": "a", "jwt_secret": "x"}
    path.write_text(json.dumps(old))
    path.chmod(0o644)
    made = stack_secrets(path)
    assert {k: made[k] for k in ("postgres_password", "fernet_key", "api_secret_key")} == {
        "postgres_password": "pg",
        "fernet_key": "f",
        "api_secret_key": "a",
    }
    assert len(made["jwt_secret"]) == 86  # token_urlsafe(64)
    assert mode(path) == 0o600


def test_private_files_are_0600_whatever_their_old_mode(tmp_path: Path):
    env = tmp_path / "airflow.env"
    env.write_text("old")
    env.chmod(0o666)
    write_private(env, "export A='b'\n")
    assert (mode(env), env.read_text()) == (0o600, "export A='b'\n")
    generated = tmp_path / "simple_auth_manager_passwords.json.generated"
    generated.write_text('{"admin": "pw"}')
    generated.chmod(0o644)
    assert restrict_generated_secrets(tmp_path) == [generated]
    assert mode(generated) == 0o600


def test_the_compose_env_gets_a_64_byte_jwt_key(tmp_path: Path):
    example = tmp_path / ".env.example"
    example.write_text("AIRFLOW_JWT_SECRET=\nAIRFLOW_API_SECRET_KEY=\n")
    write_env(example, tmp_path / ".env")
    values = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines())
    assert len(values["AIRFLOW_JWT_SECRET"]) == 86
    assert len(values["AIRFLOW_API_SECRET_KEY"]) == 43
    assert mode(tmp_path / ".env") == 0o600


def test_the_backfillable_range_is_the_archived_days_that_list_a_post(tmp_path: Path):
    sample = generate_sample(
        tmp_path, feeds=1, items=3, seed=1, end_date=date(2026, 11, 23), archive_days=30
    )
    # archives run 2026-10-25 .. 11-23; the three posts start on 11-09, so earlier days list none
    assert backfillable(sample.feeds_file, date(2026, 11, 22)) == (
        date(2026, 11, 9),
        date(2026, 11, 22),
    )
    assert backfillable(tmp_path / "elsewhere" / "feeds.yml", date(2026, 11, 22)) is None
