"""The export holds a chunk of the log at a time, never the log: three times the events, the same
peak of Python memory. (The benchmark shows it at 1,000,000 events; this guards the streaming.)

The events here are bulk-created rows shaped like the engine's, not driven cases: only their
number matters, and driving thousands of cases would take minutes.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest

from engine.models import Case, Event
from eventlog.export import export
from eventlog.pseudonyms import Pseudonyms
from eventlog.scope import Scope

TASKS = ["intake", "market_review", "police_review", "tax_review", "hrss_review", "fund_review"]
KINDS = ["task_opened", "task_claimed", "task_completed"]
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def add_cases(reference, first: int, count: int) -> None:
    version, item = reference["parallel"], reference["item"]
    cases = Case.objects.bulk_create(
        Case(
            number=f"MEM-{n:06d}",
            version=version,
            service_item=item,
            applicant_name=f"申请人{n}",
            applicant_id_number=f"{n:018d}",
            enterprise_name=f"企业{n}",
            enterprise_uscc=f"91{n:016d}",
            status="completed",
            started_at=START + dt.timedelta(minutes=n),
        )
        for n in range(first, first + count)
    )
    names = {spec: version.user_task(spec)["name"] for spec in TASKS}
    Event.objects.bulk_create(
        (
            Event(
                case=case,
                version=version,
                kind=kind,
                at=case.started_at + dt.timedelta(minutes=10 * i + k),
                activity=spec,
                activity_name=names[spec],
                department=version.user_task(spec)["department"],
                work_item=case.pk * 10 + i,
                outcome="approve" if kind == "task_completed" else "",
            )
            for case in cases
            for i, spec in enumerate(TASKS)
            for k, kind in enumerate(KINDS)
        ),
        batch_size=2000,
    )


def peak_of_export(fmt: str, path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        result = export(fmt, Scope(), Pseudonyms.configured(), str(path))
        return result.events, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xes", "ocel"])  # CSV writes from the same stream as XES
def test_three_times_the_events_take_no_more_memory(reference, tmp_path, fmt):
    # 4,140 events: past two full chunks already, as many as the reader ever holds at once.
    add_cases(reference, 0, 230)
    export(fmt, Scope(), Pseudonyms.configured(), str(tmp_path / "warm"))  # imports and caches, once
    small_events, small_peak = peak_of_export(fmt, tmp_path / "small")
    add_cases(reference, 230, 460)
    large_events, large_peak = peak_of_export(fmt, tmp_path / "large")
    assert (small_events, large_events) == (4_140, 12_420)
    # Holding the events would take about 3x; a chunk of rows is the same at any size.
    assert large_peak < 1.3 * small_peak, f"{small_peak / 1e6:.1f} MB -> {large_peak / 1e6:.1f} MB"
