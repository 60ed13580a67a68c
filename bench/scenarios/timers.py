"""Timers: 10,000 timers due at the same moment, fired by 1 and then 2 Celery workers.

One real business-registration case is driven to the rating window (a P5D timer on an
event-based gateway, beside the rating message); bulk SQL then copies its case row, its state and
its waiting timer 10,000 times (``--quick``: 1,000), all due one second ago. One sweep
(``engine.tasks.sweep_due_timers``, what beat runs) hands them to the workers in chunks; the clock
runs until no timer is pending. Each firing is the real write path (do_fire_timer: lock the case,
load its state, fire, end the case, save), so every copied case must end, and none may fire twice.

Workers are separate OS processes (``celery -A config worker -c 1`` each) on a Redis server of
the scenario's own (tests/celery_harness.py); 1 and 2 workers take turns, 3 times, and each
figure is the median of its 3 runs. The reference, in the same run: the same firings in
one process without Celery (do_fire_due_timers), on a tenth of the timers.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from django.db import connection
from django.utils import timezone

from bench.drive import MESSAGES, StraightThrough
from bench.fill import empty_tables, reference_ids
from bench.report import Row, target
from engine.actions import do_fire_due_timers
from engine.models import Case, InstanceState, WaitingTimer
from processes.models import ProcessVersion, ServiceItem
from tests.celery_harness import CeleryProcess, RedisServer

PREFIX = "TM-"
ROUNDS = 3


def template_case() -> Case:
    """A real case waiting for its rating: the window's timer pending, the message not come."""
    version_id, item_id = reference_ids()
    version, item = ProcessVersion.objects.get(pk=version_id), ServiceItem.objects.get(pk=item_id)
    bank_only = [m for m in MESSAGES if m[0] != "service_rated"]
    case = StraightThrough(version, item, claims=False).run(0, messages=bank_only, to_end=False)
    if not WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None).exists():
        raise RuntimeError("the reference case does not wait for a timer at its rating window")
    return case


def columns(model, *, leave_out: tuple[str, ...]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in leave_out and not f.primary_key]


def copy_case(template: Case, copies: int, due: dt.datetime) -> None:
    """``copies`` cases like ``template`` (numbered TM-…), each with its state and its timer, due at ``due``."""
    case_columns = columns(Case, leave_out=("number",))
    state_columns = columns(InstanceState, leave_out=("case_id",))
    timer_columns = columns(WaitingTimer, leave_out=("case_id", "due_at"))
    select_case = ", ".join(f"c.{name}" for name in case_columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH new_cases AS (
                INSERT INTO engine_case (number, {", ".join(case_columns)})
                SELECT '{PREFIX}' || lpad(g::text, 8, '0'), {select_case}
                FROM engine_case AS c CROSS JOIN generate_series(1, %(copies)s) AS g WHERE c.id = %(template)s
                RETURNING id
            ), states AS (
                INSERT INTO engine_instancestate (case_id, {", ".join(state_columns)})
                SELECT n.id, {", ".join(f"s.{name}" for name in state_columns)}
                FROM new_cases AS n CROSS JOIN engine_instancestate AS s WHERE s.case_id = %(template)s
            )
            INSERT INTO engine_waitingtimer (case_id, due_at, {", ".join(timer_columns)})
            SELECT n.id, %(due)s, {", ".join(f"t.{name}" for name in timer_columns)}
            FROM new_cases AS n CROSS JOIN engine_waitingtimer AS t
            WHERE t.case_id = %(template)s AND t.fired_at IS NULL AND t.cancelled_at IS NULL
            """,
            {"copies": copies, "template": template.pk, "due": due},
        )
        # What autovacuum and the checkpointer do after a bulk load, done before the clock starts:
        # otherwise the copy's own hint bits and WAL (150 MB of states at 10,000) are written
        # back while the workers fire, and the setup is measured with them.
        cursor.execute("VACUUM ANALYZE engine_case, engine_instancestate, engine_waitingtimer")
        cursor.execute("CHECKPOINT")


def fresh_copies(copies: int) -> None:
    """Empty tables, a new template case, and ``copies`` copies of it, all due a second ago."""
    empty_tables()
    copy_case(template_case(), copies, timezone.now() - dt.timedelta(seconds=1))


def pending() -> int:
    due = WaitingTimer.objects.filter(case__number__startswith=PREFIX, fired_at=None, cancelled_at=None)
    return due.count()


def any_due() -> bool:
    """Whether a copy's timer is still pending: what the clock waits on, polled five times a
    second, so it reads the sweep's own partial index (timer_pending_due) and stops at the first
    row. The template's timer is not due for days; counting the copies through a join, as
    ``pending`` does, would take CPU from the workers it measures."""
    return WaitingTimer.objects.filter(fired_at=None, cancelled_at=None, due_at__lte=timezone.now()).exists()


def fired_twice() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT e.case_id FROM engine_event AS e JOIN engine_case AS c ON c.id = e.case_id"
            f" WHERE e.kind = 'timer_fired' AND c.number LIKE '{PREFIX}%%' GROUP BY e.case_id HAVING count(*) > 1) AS twice"
        )
        return cursor.fetchone()[0]


def check_all_ended(copies: int) -> None:
    ended = Case.objects.filter(number__startswith=PREFIX, status=Case.Status.COMPLETED).count()
    if ended != copies:
        raise RuntimeError(f"{copies - ended} of {copies} cases did not end after their timer fired")


def with_workers(redis: RedisServer, workers: int, copies: int) -> tuple[float, float]:
    """(seconds until no timer is pending, peak RSS of a pool process in MB) with ``workers`` workers."""
    import psutil

    from config.celery import app
    from engine.tasks import sweep_due_timers

    processes = [CeleryProcess("worker", redis.url, f"bench{i}", args=["--concurrency", "1"]) for i in range(workers)]
    try:
        for process in processes:
            process.wait_ready()
        app.conf.broker_url = redis.url
        started = time.perf_counter()
        sweep_due_timers.apply_async()
        peak = 0
        deadline = started + 900
        while any_due() and time.perf_counter() < deadline:
            for process in processes:
                for child in psutil.Process(process.process.pid).children(recursive=True):
                    peak = max(peak, child.memory_info().rss)
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.stop()
    if pending():
        raise RuntimeError(f"{pending()} timers still pending after {seconds:.0f} s")
    return seconds, peak / 2**20


def run(quick: bool) -> list[Row]:
    copies = 1_000 if quick else 10_000
    try:
        redis = RedisServer()
    except pytest.skip.Exception as missing:
        return [Row("timers due at once", 0, "s", note=f"not measured: {missing}")]
    redis.start()
    try:
        runs: dict[int, list] = {1: [], 2: []}
        for _ in range(ROUNDS):  # interleaved, so that the machine's noise falls on both alike
            for workers in (1, 2):
                fresh_copies(copies)
                seconds, rss = with_workers(redis, workers, copies)
                runs[workers].append((seconds, rss, fired_twice()))
                check_all_ended(copies)
                print(f"    {workers} worker(s): {seconds:.1f} s", flush=True)
    finally:
        redis.stop()
    # The median run of each; the peak memory and the double firings of all of them.
    results = {
        workers: (statistics.median(r[0] for r in rs), max(r[1] for r in rs), sum(r[2] for r in rs))
        for workers, rs in runs.items()
    }
    # The reference: the same firings in this process, no broker, on a tenth of the timers.
    fresh_copies(copies // 10)
    started = time.perf_counter()
    while do_fire_due_timers(limit=500):
        pass
    in_process = (time.perf_counter() - started) / (copies // 10)
    check_all_ended(copies // 10)

    rows = []
    for workers, (seconds, rss, twice) in results.items():
        rows.append(
            Row(
                f"{copies:,} timers due at once, {workers} Celery worker{'s' if workers > 1 else ''}: all fired in",
                seconds,
                "s",
                reference="one process without Celery, same work",
                reference_value=in_process * copies,
                note=f"median of {ROUNDS}; {copies / seconds:.0f} timers/s; fired twice: {twice}; peak RSS of a pool process "
                f"{rss:.0f} MB"
                + (
                    ("; " + target("within 30 s at 10,000", seconds <= 30 if copies >= 10_000 else None))
                    if workers == 2
                    else ""
                ),
            )
        )
    rows.append(
        Row(
            "timers: 2 workers against 1",
            results[1][0] / results[2][0],
            "x",
            reference="2 workers on 2 cores (2.0x)",
            reference_value=2.0,
            note="the database shares the same two cores",
        )
    )
    rows.append(
        Row(
            "timers fired twice",
            sum(r[2] for r in results.values()),
            "timers",
            reference="none",
            reference_value=0,
            note="counted from the event log: timer_fired per case",
        )
    )
    return rows
