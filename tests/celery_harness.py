"""Real parts for timer tests: a redis-server of the test's own, Celery worker and beat processes.

The test owns its Redis (a private port) so that it can restart it without disturbing anything
else on the machine. Workers and beat are separate OS processes on the test database, exactly as
in production; the test talks to them only through Redis and PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from .as_of import ENV as AS_OF_ENV

ROOT = Path(__file__).resolve().parent.parent
CI = os.getenv("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require(condition: bool, reason: str) -> None:
    """Skip where a real part is missing, except under CI, where the suite must run."""
    if not condition:
        if CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)


class RedisServer:
    def __init__(self):
        binary = shutil.which("redis-server")
        require(binary is not None, "needs the redis-server binary (Debian package redis-server)")
        self.binary, self.port = binary, free_port()
        self.dir = tempfile.mkdtemp(prefix="binglian-redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """Stop hard, as a crash would: whatever the broker held is gone (no persistence)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class CeleryProcess:
    """`celery -A config worker|beat` on the test database and the test's Redis."""

    def __init__(self, kind: str, broker_url: str, name: str, extra_env: dict | None = None, args=()):
        settings = connection.settings_dict
        database_url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "TIMERS_IN_PROCESS": "false",
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        self.log = tempfile.NamedTemporaryFile(prefix=f"celery-{name}-", suffix=".log", delete=False)
        # Under --as-of the worker keeps the tests' clock (tests/as_of_process.py).
        runner = ["-m", "tests.as_of_process", "celery"] if os.environ.get(AS_OF_ENV) else ["-m", "celery"]
        command = [sys.executable, *runner, "-A", "config", kind, "--loglevel", "INFO", *args]
        if kind == "worker":
            command += ["--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"]
        else:
            command += ["--schedule", os.path.join(tempfile.mkdtemp(), "beat-schedule")]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.kind = kind

    def wait_ready(self, timeout: float = 60) -> None:
        marker = "ready." if self.kind == "worker" else "beat: Starting"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker in Path(self.log.name).read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"celery {self.kind} exited:\n{Path(self.log.name).read_text()[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"celery {self.kind} not ready after {timeout}s:\n{Path(self.log.name).read_text()[-3000:]}")

    def kill(self, sig=signal.SIGKILL) -> None:
        """Kill the whole process group: a prefork worker's children die with it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(20)

    def stop(self) -> None:
        self.kill(signal.SIGTERM) if self.process.poll() is None else None
