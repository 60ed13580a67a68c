"""`make test`: the whole suite on SQLite; the tests that touch the database again on PostgreSQL
where it is reachable; and the date-sensitive tests again as of moments chosen to be hard.

PostgreSQL carries everything about locking, concurrency and query plans. Where it cannot be
reached the PostgreSQL pass is skipped and said so; under CI=true that is a failure instead. A test
that never opens the database answers the same on both, so it runs once, in the SQLite pass
(``--database-tests-only``, tests/database_pass.py).

The date passes: the tests marked ``dates`` (calendar, clocks, SLA, escalation, simulation,
reports, driver, demo) run as of each moment of ``hard_moments`` (tests/as_of.py moves the
clock), on SQLite. Extra arguments go to every pass; with ``--as-of`` among them, the whole suite
runs as of that moment instead, and the date passes are left out.

The passes are separate processes (each its own test database), run as many at once as the
machine has cores, the longest first; each one's output is printed whole when it ends.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

POSTGRES_URL = os.getenv("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/binglian")
PASSES_AT_ONCE = max(2, min(os.cpu_count() or 2, 6))
HEARTBEAT_SECONDS = 60


def postgres_reachable() -> str | None:
    """None if reachable, else the reason."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return None
    except Exception as error:  # any failure to connect means: not here
        return str(error).strip().splitlines()[0]


def hard_moments() -> list[tuple[str, str]]:
    """(local moment, why it is hard), in the last year whose holiday notice the calendar package
    holds, so that they stay hard when a newer package announces another year."""
    import chinese_calendar

    year = max(day.year for day in chinese_calendar.holidays)
    days = [
        dt.date(year, 1, 1) + dt.timedelta(days=n)
        for n in range(366)
        if (dt.date(year, 1, 1) + dt.timedelta(days=n)).year == year
    ]
    spring = [d for d in days if chinese_calendar.get_holiday_detail(d)[1] == "Spring Festival" and d.weekday() < 5]
    before_national_day = max(d for d in days if d < dt.date(year, 10, 1) and chinese_calendar.is_workday(d))
    saturday = next(d for d in days if d.month == 12 and d.weekday() == 5 and not chinese_calendar.is_workday(d))
    return [
        (f"{spring[len(spring) // 2]}T10:00", "inside the Spring Festival holiday"),
        (f"{year}-12-31T16:00", f"31 December: limits run into {year + 1}, a year not yet announced"),
        (f"{saturday}T11:00", "a Saturday"),
        (f"{before_national_day}T17:29", "17:29 on the last working day before the National Day holiday"),
    ]


@dataclass
class Pass:
    label: str
    env: dict
    arguments: list[str]


def passes(base: dict, extra: list[str], *, postgres: bool, as_of: bool) -> list[Pass]:
    """What `make test` runs, the longest first."""
    runs = []
    if postgres:
        runs.append(Pass("PostgreSQL (the tests that touch the database)", {**base, "DATABASE_URL": POSTGRES_URL},
                         ["--database-tests-only", *extra]))  # fmt: skip
    runs.append(Pass("SQLite", base, list(extra)))
    if not as_of:
        for moment, why in hard_moments():
            runs.append(Pass(f"SQLite, the date-sensitive tests as of {moment} ({why})", base,
                             ["-m", "dates", "-q", "--as-of", moment, *extra]))  # fmt: skip
    return runs


def run_all(runs: list[Pass]) -> int:
    """Each pass as its own process, PASSES_AT_ONCE at a time; returns how many failed."""
    failures, waiting, running, started = 0, list(runs), [], time.monotonic()
    told = started
    while waiting or running:
        while waiting and len(running) < PASSES_AT_ONCE:
            run = waiting.pop(0)
            output = tempfile.TemporaryFile(mode="w+")
            command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *run.arguments]
            print(f"--- started: {run.label}", flush=True)
            process = subprocess.Popen(command, env=run.env, stdout=output, stderr=subprocess.STDOUT)
            running.append((run, output, process, time.monotonic()))
        for entry in list(running):
            run, output, process, began = entry
            if process.poll() is None:
                continue
            running.remove(entry)
            output.seek(0)
            print(f"\n=== {run.label}: {time.monotonic() - began:.0f} s ===", flush=True)
            print(output.read(), end="", flush=True)
            output.close()
            failures += process.returncode != 0
        if running and time.monotonic() - told >= HEARTBEAT_SECONDS:  # a sign of life while output waits
            told = time.monotonic()
            still = ", ".join(f"{run.label.split(' (')[0]} {told - began:.0f} s" for run, _o, _p, began in running)
            print(f"... running: {still}", flush=True)
        time.sleep(0.2)
    print(f"\nAll passes: {time.monotonic() - started:.0f} s, {failures} failed.", flush=True)
    return failures


def main() -> int:
    extra = sys.argv[1:]
    ci = os.getenv("CI", "").lower() == "true"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    as_of = any(arg == "--as-of" or arg.startswith("--as-of=") for arg in extra)
    failures = 0
    reason = postgres_reachable()
    if reason is not None:
        print(f"SKIPPED the PostgreSQL pass (locking, concurrency and query-plan tests): {reason}")
        if ci:
            print("CI=true: PostgreSQL is required here; failing.")
            failures += 1
    failures += run_all(passes(base, extra, postgres=reason is None, as_of=as_of))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
