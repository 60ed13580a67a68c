"""The SLA light sweep at scale: its time must follow the due rows, not the open ones.

Measured: the set-based sweep (sla.sweeps.do_sweep_lights) with 10,000 due items among 100,000
and among 1,000,000 open ones; reference: the same 10,000 rows turned red one by one through
the ORM, the way a naive sweep would.
"""

from __future__ import annotations

import json
import statistics
import time

from django.db import connection
from django.utils import timezone

from bench.fill import empty_tables, fill_open_items, reset_due_lights
from bench.report import Row, target
from sla.sweeps import do_sweep_lights
from worklists.models import WorkItem

DUE = 10_000


def timed_sweeps(runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        reset_due_lights(DUE)
        started = time.perf_counter()
        result = do_sweep_lights(now=timezone.now())
        seconds.append(time.perf_counter() - started)
        assert result.tasks_red == DUE, result
    return seconds


def orm_row_by_row() -> float:
    reset_due_lights(DUE)
    started = time.perf_counter()
    for item in WorkItem.objects.filter(state="open", light__in=["green", "yellow"], due_at__lte=timezone.now()):
        item.light = "red"
        item.save(update_fields=["light"])
    return time.perf_counter() - started


def plan() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM worklists_workitem "
            "WHERE state = 'open' AND light IN ('green', 'yellow') AND due_at <= now()"
        )
        return cursor.fetchone()[0][0]["Plan"]


def nodes(plan_node: dict):
    yield plan_node
    for child in plan_node.get("Plans", []):
        yield from nodes(child)


def run(quick: bool) -> list[Row]:
    sizes = [100_000, 300_000] if quick else [100_000, 1_000_000]
    rows, medians = [], {}
    for size in sizes:
        empty_tables()
        fill_open_items(size, due=DUE)
        reset_due_lights(DUE)
        medians[size] = statistics.median(timed_sweeps(3))
        reset_due_lights(DUE)
        scan = plan()
        indexes = sorted({n["Index Name"] for n in nodes(scan) if "Index Name" in n})
        rows.append(
            Row(
                f"light sweep, {DUE:,} due of {size:,} open",
                medians[size] * 1000,
                "ms",
                note=f"plan: {scan['Node Type']} via {', '.join(indexes) or 'no index'}, "
                f"{scan.get('Actual Rows')} rows",
                plan=json.dumps(scan),
            )
        )
    small, large = sizes
    orm = orm_row_by_row()
    rows.append(
        Row(
            f"sweep time growth, {large // small}x the open items",
            medians[large] / medians[small],
            "x",
            reference="proportional to due rows (1.0x)",
            reference_value=1.0,
            note="near 1 means the sweep cost follows the due rows; "
            + target("proportional to due rows (within 1.3x)", medians[large] / medians[small] <= 1.3),
        )
    )
    rows.append(
        Row(
            f"light sweep vs ORM row by row ({DUE:,} due)",
            medians[large] * 1000,
            "ms",
            reference="ORM save() per row",
            reference_value=orm * 1000,
        )
    )
    return rows
