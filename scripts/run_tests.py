"""`make test`: the whole suite on SQLite, then again on PostgreSQL where it is reachable, then the
date-sensitive tests again as of moments chosen to be hard.

PostgreSQL carries everything about locking, concurrency and query plans. Where it cannot be
reached the PostgreSQL run is skipped and said so; under CI=true that is a failure instead.

The date passes: the tests marked ``dates`` (calendar, clocks, SLA, escalation, simulation,
reports, driver, demo) run as of each moment of ``hard_moments`` (tests/as_of.py moves the
clock), two passes at a time on SQLite. Extra arguments go to every pass; with ``--as-of`` among
them, the whole suite runs as of that moment instead, and the date passes are left out.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

POSTGRES_URL = os.getenv("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/binglian")
DATE_PASSES_AT_ONCE = 2


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


def pytest(label: str, env: dict, extra: list[str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def date_passes(env: dict, extra: list[str]) -> int:
    """Each hard moment's pass as its own process, a few at a time; each one's output is printed
    whole when it ends."""
    failures, waiting, running = 0, list(hard_moments()), []
    while waiting or running:
        while waiting and len(running) < DATE_PASSES_AT_ONCE:
            moment, why = waiting.pop(0)
            output = tempfile.TemporaryFile(mode="w+")
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                "dates",
                "-q",
                "-p",
                "no:cacheprovider",
                "--as-of",
                moment,
                *extra,
            ]
            running.append(
                (moment, why, output, subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT))
            )
        for entry in list(running):
            moment, why, output, process = entry
            if process.poll() is None:
                continue
            running.remove(entry)
            output.seek(0)
            print(f"\n=== SQLite, the date-sensitive tests as of {moment} ({why}) ===", flush=True)
            print(output.read(), end="", flush=True)
            output.close()
            failures += process.returncode != 0
        time.sleep(0.2)
    return failures


def main() -> int:
    extra = sys.argv[1:]
    ci = os.getenv("CI", "").lower() == "true"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    as_of = any(arg == "--as-of" or arg.startswith("--as-of=") for arg in extra)
    failures = pytest("SQLite", base, extra)
    reason = postgres_reachable()
    if reason is None:
        failures += pytest("PostgreSQL", {**base, "DATABASE_URL": POSTGRES_URL}, extra)
    else:
        print(f"\nSKIPPED the PostgreSQL run (locking, concurrency and query-plan tests): {reason}")
        if ci:
            print("CI=true: PostgreSQL is required here; failing.")
            failures += 1
    if not as_of:
        failures += date_passes(base, extra)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
