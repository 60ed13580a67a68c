"""One benchmark client: a separate OS process that drives cases and reports what it measured.

    python -m bench.clients engine|viewflow|spiff|sql --cases N --database-url URL

It sets itself up (Django, the reference process, warm-up cases) and prints ``ready``. Then, for
each ``go`` line on stdin (so that several clients start together), it drives ``--cases`` cases
and prints one JSON line: cases, seconds, CPU seconds of this process, and by phase (start, read,
claim, complete, message) the number of actions, SQL statements and seconds; and its peak
resident memory so far (``ru_maxrss``). It ends at the end of its input.

Kinds: ``engine`` (Binglian's write path on PostgreSQL), ``viewflow`` (the peer, on the same
database), ``spiff`` (floor a: SpiffWorkflow alone, in memory) and ``sql`` (floor b: bare
PostgreSQL transactions). See bench/floors.py and bench/viewflow_peer/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_CASES = 2


class Meter:
    """Counts SQL statements and time per phase; the phase is set around each action."""

    def __init__(self):
        self.phase = "other"
        self.actions: Counter = Counter()
        self.statements: Counter = Counter()
        self.seconds: defaultdict = defaultdict(float)

    @contextmanager
    def __call__(self, phase: str):
        outer, self.phase = self.phase, phase
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - started
            self.actions[phase] += 1
            self.phase = outer

    def count(self, execute, sql, params, many, context):
        self.statements[self.phase] += 1
        return execute(sql, params, many, context)

    def reset(self) -> None:
        self.actions.clear()
        self.statements.clear()
        self.seconds.clear()


def setup_django(settings_module: str, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DEBUG"] = "false"  # as in production: no query log kept in memory
    os.environ.setdefault("ENGINE_WORKFLOW_CACHE_SIZE", "256")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reference():
    from bench.fill import reference_ids
    from processes.models import ProcessVersion, ServiceItem

    version_id, item_id = reference_ids()
    return ProcessVersion.objects.get(pk=version_id), ServiceItem.objects.get(pk=item_id)


def engine_client(meter: Meter):
    from django.db import connection

    from bench.drive import StraightThrough

    version, item = reference()
    driver = StraightThrough(version, item, meter=meter)
    connection.execute_wrappers.append(meter.count)  # for the life of the process
    return driver.run


def viewflow_client(meter: Meter):
    from django.db import connection

    from bench.viewflow_peer.driver import PeerClerks

    clerks = PeerClerks(meter=meter)
    connection.execute_wrappers.append(meter.count)
    return clerks.run


def spiff_client(meter: Meter):
    from bench.floors import SpiffFloor

    version, _ = reference()
    floor = SpiffFloor(version)

    def run(n: int):
        with meter("case"):
            floor.run()

    return run


def sql_client(meter: Meter, database_url: str):
    from bench.floors import SpiffFloor, SqlFloor

    version, item = reference()
    states = SpiffFloor(version).run()
    floor = SqlFloor(
        database_url.replace("postgres://", "postgresql://", 1),
        version_id=version.pk,
        service_item_id=item.pk,
        department="tax",
        states=states,
    )

    def run(n: int):
        before = floor.statements
        with meter("case"):
            floor.run(n)
        meter.statements["case"] += floor.statements - before

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["engine", "viewflow", "spiff", "sql"])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    setup_django("bench.viewflow_peer.settings" if args.kind == "viewflow" else "config.settings", args.database_url)
    meter = Meter()
    if args.kind == "engine":
        run = engine_client(meter)
    elif args.kind == "viewflow":
        run = viewflow_client(meter)
    elif args.kind == "spiff":
        run = spiff_client(meter)
    else:
        run = sql_client(meter, args.database_url)
    for n in range(WARM_UP_CASES):
        run(n)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        meter.reset()
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        for n in range(args.cases):
            run(n)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(
            json.dumps(
                {
                    "kind": args.kind,
                    "cases": args.cases,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "actions": meter.actions,
                    "statements": meter.statements,
                    "phase_seconds": meter.seconds,
                    "rss_kb": after.ru_maxrss,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
