"""The compose stack's .env: every secret generated on the machine that runs it, none shipped.

.env.example leaves each secret empty, and docker-compose.yml requires it (`${VAR:?…}`), so
the stack cannot start on a password anyone else knows. `write_env` copies the example and fills
every empty value with a fresh random one: a Fernet key where the name says FERNET, a 512-bit
URL-safe token where it says JWT (an HMAC-SHA512 key), otherwise a 256-bit one.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from pathlib import Path

_ASSIGNMENT = re.compile(r"^(?P<key>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def secret_for(name: str) -> str:
    if "FERNET" in name:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()  # a Fernet key's format
    if "JWT" in name:
        return secrets.token_urlsafe(64)  # an HMAC-SHA512 key: 64 bytes, or Airflow warns
    return secrets.token_urlsafe(32)


def write_env(example: Path, target: Path) -> list[str]:
    """Write `target` from `example` with each empty value generated; return their names.

    Never overwrites: an existing .env holds the secrets the running stack was started with.
    """
    if target.exists():
        raise FileExistsError(f"{target} exists; it is kept (delete it to generate new secrets)")
    filled: list[str] = []
    lines = []
    for line in example.read_text(encoding="utf-8").splitlines():
        match = _ASSIGNMENT.match(line)
        if match and not match["value"].strip():
            filled.append(match["key"])
            line = f"{match['key']}={secret_for(match['key'])}"
        lines.append(line)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return filled
