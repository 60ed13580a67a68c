"""`make bench` / `make bench-quick`: every scenario on a PostgreSQL database of its own.

    python bench/run.py [--quick] [--only sweep]

Writes bench/results/latest.json and latest.md and prints the table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.getenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/binglian_bench")
# One line per scenario: a module in bench/scenarios/ with run(quick) -> list of report rows.
SCENARIOS = [
    "throughput",  # cases per second through the write path, beside floors (a), (b) and the peer (c)
    "growth",  # cost per step as one case grows: fan-out to 5/20/50 departments, 1/10/100 corrections
    "timers",  # 10,000 timers due at once, 1 and 2 Celery workers
    "sweep",  # the SLA light sweep among 100,000 and 1,000,000 open items
    "queue",  # a department's queue page, a case by its number, a step, among 1,000,000 open items
    "export",  # the event-log export (XES, OCEL 2.0, CSV) at 1,000,000 events; PM4Py on 1,000 driven cases
    "simulation",  # what-if simulation: 10,000 cases in memory through the engine, beside the write path
]


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        sys.exit(f"The benchmarks need PostgreSQL ({base}): {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    args = parser.parse_args()
    ensure_database(BENCH_DATABASE_URL)
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ["DEBUG"] = "false"  # as in production: Django keeps no query log
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from bench import report

    call_command("migrate", verbosity=0)
    rows = []
    for name in args.only.split(","):
        module = __import__(f"bench.scenarios.{name}", fromlist=["run"])
        started = time.perf_counter()
        print(f"running {name} ...", flush=True)
        rows += module.run(args.quick)
        print(f"  {name}: {time.perf_counter() - started:.0f} s", flush=True)
    # A run of some scenarios only keeps the full run's latest table as it is.
    chosen = args.only.split(",")
    print(report.write(rows, "latest" if chosen == SCENARIOS else "only-" + "-".join(chosen)))


if __name__ == "__main__":
    main()
