"""A real Amparo server on a scratch data directory, for the drills: init, seed, serve, kill.

Everything runs in child processes with the scratch environment, the way an operator runs
Amparo: `amparo init --dev`, then `amparo serve` (gunicorn), driven over HTTP with a token.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from amparo.bench.database import postgres_url, scratch_postgres

AMPARO = (sys.executable, "-m", "amparo.cli")


def free_port(first: int = 8150, last: int = 8199) -> int:
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {first}-{last}.")


def scratch_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A development installation of its own: data_dir (SQLite there unless extra names a
    DATABASE_URL: the caller's is never inherited), development keys."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AMPARO_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTEST"))
    }
    env.update(
        AMPARO_ENV="development",
        AMPARO_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        AMPARO_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


@contextlib.contextmanager
def scratch_installation(workdir: Path, **extra: str) -> Iterator[tuple[dict[str, str], str]]:
    """The environment of an installation of its own in workdir/data, and its database vendor:
    SQLite in that directory or, when DATABASE_URL names a PostgreSQL server, a throw-away
    database created on that server and dropped afterwards (the server itself is left alone)."""
    server_url = postgres_url()
    if server_url is None:
        yield scratch_env(workdir / "data", **extra), "sqlite"
        return
    name = f"amparo_drill_{uuid.uuid4().hex[:8]}"
    with scratch_postgres(server_url, name) as url:
        yield scratch_env(workdir / "data", DATABASE_URL=url, **extra), "postgresql"


def amparo(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and CLI
        [*AMPARO, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )


SEED = """
import json
from amparo.accounts.models import Role, SystemActor
from amparo.accounts.services import api_token_create, entity_create, user_create
from amparo.registry.services import DefenderData, defender_register
system = SystemActor("drill:seed")
entity = entity_create(actor=system, slug="drill", name="Drill desk", country="CO")
user, _ = user_create(actor=system, username="drill", role=Role.COORDINATOR, entity=entity,
                      password="drill-password-not-for-any-real-account", validate=False)
defender = defender_register(actor=user, data=DefenderData(
    name="Drill Defender", country="CO", categories=["land_environment"]))
_, token = api_token_create(actor=user, name="drill")
print(json.dumps({"token": token, "defender": defender.code}))
"""


def init_and_seed(env: dict[str, str]) -> dict[str, str]:
    done = amparo(env, "init", "--dev")
    if done.returncode != 0:
        raise RuntimeError(f"amparo init --dev failed: {done.stderr}")
    done = amparo(env, "shell", "-c", SEED)
    if done.returncode != 0:
        raise RuntimeError(f"seeding the drill failed: {done.stderr}")
    seeded: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeded


class Server:
    """`amparo serve` in its own process group, so one signal reaches gunicorn and workers."""

    def __init__(self, env: dict[str, str], port: int, log: Path, workers: int = 2) -> None:
        self.port, self.env = port, env
        self.base = f"http://127.0.0.1:{port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
            [*AMPARO, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=Path(__file__).resolve().parents[2],
        )

    def wait_ready(self, timeout: float = 90.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"amparo serve exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return time.monotonic() - started
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError("amparo serve did not answer /healthz in time")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (gunicorn's master and its workers) and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill(signal.SIGTERM)
            return
        # The master is gone; make sure no worker of its group survives.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()

    def request(
        self, method: str, path: str, token: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback URL we built
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, None
