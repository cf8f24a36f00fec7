"""The local Airflow stack's secrets: generated once, kept in files only their owner reads."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

HMAC_KEY_BYTES = 64  # the api-server's JWT key (HMAC-SHA512): shorter keys draw a warning


def stack_secrets(path: Path) -> dict[str, str]:
    """This stack's passwords and keys: made once, kept (mode 600) so restarts keep the DB.

    The api-server's JWT key is an HMAC-SHA512 key: 64 bytes at least, or it warns (a shorter
    one kept from an older stack is replaced; it only signs short-lived tokens).
    """
    made = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if not made:
        from cryptography.fernet import Fernet

        made = {
            "postgres_password": secrets.token_urlsafe(24),
            "fernet_key": Fernet.generate_key().decode(),
            "api_secret_key": secrets.token_urlsafe(32),
        }
    if len(made.get("jwt_secret", "").encode()) < HMAC_KEY_BYTES:
        made["jwt_secret"] = secrets.token_urlsafe(HMAC_KEY_BYTES)  # 86 characters
    write_private(path, json.dumps(made, indent=2))
    return made


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600, whatever the umask or its old mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def restrict_generated_secrets(home: Path) -> list[Path]:
    """Airflow writes the admin password world-readable: make every such file 0600."""
    restricted = []
    for path in sorted(home.glob("*.generated")):
        path.chmod(0o600)
        restricted.append(path)
    return restricted
