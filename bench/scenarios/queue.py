"""The department queue at scale: one page of a department's open work, by due time.

Measured: the queue query of the pages and the API (WorkItem.objects.queue(code)[:50] with its
case numbers) among 1,000,000 open work items (--quick: 300,000), p50 and p99; reference: the
same query with the (department, state, due_at) index dropped, inside a transaction that is
rolled back, in the same run.

Among the same rows (250,000 running cases): a case found by its number (what the case page, the
API and a message from another system do first), with its plan, beside the same lookup with the
number's indexes dropped; and the cost of a step through the write path, beside the same steps
on empty tables, measured first: the engine must not slow down with the cases it stores.
"""

from __future__ import annotations

import json
import statistics
import time

from django.db import connection, transaction

from bench.fill import empty_tables, fill_open_items, reference_ids
from bench.report import Row, target
from engine.models import Case
from processes.models import ProcessVersion, ServiceItem
from worklists.models import WorkItem

DEPARTMENTS = ["police", "tax", "hrss", "housing_fund"]


class _Rollback(Exception):
    pass


def page(code: str) -> list:
    return list(
        WorkItem.objects.queue(code).select_related("case").only("id", "name", "due_at", "light", "case__number")[:50]
    )


def timings(runs: int) -> list[float]:
    seconds = []
    for i in range(runs):
        code = DEPARTMENTS[i % len(DEPARTMENTS)]
        started = time.perf_counter()
        rows = page(code)
        seconds.append(time.perf_counter() - started)
        assert len(rows) == 50
    return seconds


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def plan_of_page() -> dict:
    query = (
        WorkItem.objects.queue("tax").select_related("case").only("id", "name", "due_at", "light", "case__number")[:50]
    )
    return json.loads(query.explain(format="json", analyze=True))[0]["Plan"]


def without_queue_index(runs: int) -> list[float]:
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX workitem_queue")
            result = timings(runs)
            raise _Rollback
    except _Rollback:
        return result


def lookups(numbers: list[str]) -> list[float]:
    seconds = []
    for number in numbers:
        started = time.perf_counter()
        Case.objects.only("id", "number", "status").get(number=number)
        seconds.append(time.perf_counter() - started)
    return seconds


def without_number_indexes(numbers: list[str]) -> list[float]:
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.conname FROM pg_constraint AS c JOIN pg_attribute AS a ON a.attrelid = c.conrelid"
                    " AND a.attnum = ANY (c.conkey) WHERE c.conrelid = 'engine_case'::regclass AND c.contype = 'u'"
                    " AND a.attname = 'number'"
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE engine_case DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'engine_case' AND indexdef LIKE '%%(number%%'"
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
            result = lookups(numbers)
            raise _Rollback
    except _Rollback:
        return result


def plan_of_lookup(number: str) -> dict:
    return json.loads(
        Case.objects.only("id", "number", "status").filter(number=number).explain(format="json", analyze=True)
    )[0]["Plan"]


def step_cost(cases: int) -> float:
    """ms per step (start, completion, message) of straight business-registration cases, no claims."""
    from bench.drive import StraightThrough
    from bench.scenarios.growth import Steps

    version_id, item_id = reference_ids()
    steps = Steps()
    driver = StraightThrough(
        ProcessVersion.objects.get(pk=version_id), ServiceItem.objects.get(pk=item_id), meter=steps, claims=False
    )
    for n in range(cases):
        driver.run(n)
    return steps.seconds * 1000 / steps.count


def run(quick: bool) -> list[Row]:
    size = 300_000 if quick else 1_000_000
    driven = 5 if quick else 20
    empty_tables()
    step_cost(2)  # warm up
    empty_step = step_cost(driven)
    fill_open_items(size, due=0)
    timings(20)  # warm the cache
    seconds = timings(400)
    reference = without_queue_index(40)
    scan = plan_of_page()
    numbers = [f"BB-{n:08d}" for n in range(1, size // 4, max(1, size // 4 // 400))][:400]
    lookup = lookups(numbers)
    lookup_reference = without_number_indexes(numbers[:20])
    found = plan_of_lookup(numbers[0])
    with connection.cursor() as cursor:  # the steady state autovacuum keeps, not the bulk load's aftermath
        cursor.execute("VACUUM ANALYZE worklists_workitem, engine_case")
        cursor.execute("CHECKPOINT")
    loaded_step = step_cost(driven)
    cases = Case.objects.count()
    return [
        Row(
            f"queue page p50, {size:,} open items",
            statistics.median(seconds) * 1000,
            "ms",
            reference="same query without the queue index",
            reference_value=statistics.median(reference) * 1000,
            note=f"50 rows with case numbers; plan root {scan['Node Type']}",
            plan=json.dumps(scan),
        ),
        Row(
            f"queue page p99, {size:,} open items",
            p99(seconds) * 1000,
            "ms",
            reference="same query without the queue index",
            reference_value=p99(reference) * 1000,
            note=target("p99 under 10 ms at 1,000,000", p99(seconds) < 0.010 if size >= 1_000_000 else None),
        ),
        Row(
            f"case by its number p50, {cases:,} cases",
            statistics.median(lookup) * 1000,
            "ms",
            reference="same lookup without the number's indexes",
            reference_value=statistics.median(lookup_reference) * 1000,
            note=f"p99 {p99(lookup) * 1000:.2f} ms; plan {found['Node Type']} via {found.get('Index Name', 'no index')}",
            plan=json.dumps(found),
        ),
        Row(
            f"cost per step with {size:,} open items stored",
            loaded_step,
            "ms",
            reference="same steps on empty tables",
            reference_value=empty_step,
            note=f"{driven} straight cases each; "
            + target("no slower with the cases stored (within noise, 1.3x)", loaded_step <= 1.3 * empty_step),
        ),
    ]
