"""The department queue at scale: one page of a department's open work, by due time.

Measured: the queue query of the pages and the API (WorkItem.objects.queue(code)[:50] with its
case numbers) among 1,000,000 open work items (--quick: 300,000), p50 and p99; reference: the
same query with the (department, state, due_at) index dropped, inside a transaction that is
rolled back, in the same run.
"""

from __future__ import annotations

import json
import statistics
import time

from django.db import connection, transaction

from bench.fill import empty_tables, fill_open_items
from bench.report import Row
from worklists.models import WorkItem

DEPARTMENTS = ["police", "tax", "hrss", "housing_fund"]


class _Rollback(Exception):
    pass


def page(code: str) -> list:
    return list(WorkItem.objects.queue(code).select_related("case").only("id", "name", "due_at", "light", "case__number")[:50])


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
    query = WorkItem.objects.queue("tax").select_related("case").only("id", "name", "due_at", "light", "case__number")[:50]
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


def run(quick: bool) -> list[Row]:
    size = 300_000 if quick else 1_000_000
    empty_tables()
    fill_open_items(size, due=0)
    timings(20)  # warm the cache
    seconds = timings(400)
    reference = without_queue_index(40)
    scan = plan_of_page()
    return [
        Row(f"queue page p50, {size:,} open items", statistics.median(seconds) * 1000, "ms",
            reference="same query without the queue index", reference_value=statistics.median(reference) * 1000,
            note=f"50 rows with case numbers; plan root {scan['Node Type']}", plan=json.dumps(scan)),
        Row(f"queue page p99, {size:,} open items", p99(seconds) * 1000, "ms",
            reference="same query without the queue index", reference_value=p99(reference) * 1000,
            note="target: p99 under 10 ms at 1,000,000"),
    ]  # fmt: skip
