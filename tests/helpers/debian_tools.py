"""Debian packages a test needs (redis-server, docker.io, mmdebstrap): installed with apt-get
when a command is missing and we are root, as on CI; elsewhere the test fails naming the
command to run."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess

# tests on two xdist workers may both install: one apt-get at a time
_APT_LOCK = "/var/lib/dpkg/feedwarehouse-tests.lock"  # root-owned, like apt's own locks


def ensure_commands(packages: dict[str, str]) -> None:
    """Make every command in `packages` (command -> Debian package) available."""
    missing = sorted({pkg for cmd, pkg in packages.items() if shutil.which(cmd) is None})
    if not missing:
        return
    if os.geteuid() != 0:
        raise AssertionError(f"missing commands; run: sudo apt-get install {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with open(_APT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = sorted({pkg for cmd, pkg in packages.items() if shutil.which(cmd) is None})
        if missing:
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
            done = subprocess.run(
                ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300",
                 "--no-install-recommends", *missing],
                env=env, capture_output=True, text=True,
            )  # fmt: skip  # argv: flags by values
            failed = f"apt-get install {' '.join(missing)} failed:\n{done.stderr}"
            assert done.returncode == 0, failed
    still = sorted(cmd for cmd in packages if shutil.which(cmd) is None)
    assert not still, f"apt-get installed {missing} but {still} are still not on PATH"
