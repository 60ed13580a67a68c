"""`make test`: the whole suite on SQLite, then again on PostgreSQL where it is reachable.

PostgreSQL carries everything about locking, concurrency and query plans. Where it cannot be
reached the PostgreSQL run is skipped and said so; under CI=true that is a failure instead.
"""

from __future__ import annotations

import os
import subprocess
import sys

POSTGRES_URL = os.getenv("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/binglian")


def postgres_reachable() -> str | None:
    """None if reachable, else the reason."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return None
    except Exception as error:  # any failure to connect means: not here
        return str(error).strip().splitlines()[0]


def pytest(label: str, env: dict, extra: list[str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def main() -> int:
    extra = sys.argv[1:]
    ci = os.getenv("CI", "").lower() == "true"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    failures = pytest("SQLite", base, extra)
    reason = postgres_reachable()
    if reason is None:
        failures += pytest("PostgreSQL", {**base, "DATABASE_URL": POSTGRES_URL}, extra)
    else:
        print(f"\nSKIPPED the PostgreSQL run (locking, concurrency and query-plan tests): {reason}")
        if ci:
            print("CI=true: PostgreSQL is required here; failing.")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
