"""`manage.py drive` works cases to the end; each case's event log is complete and in order."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from engine.models import Case, Event
from worklists.models import WorkItem


# The scale test runs once: what it checks (every case ended, every log complete) holds on any
# date, and the driver's dates are the smaller tests' below, which make test runs again as of
# hard dates (tests/as_of.py).
@pytest.mark.slow
def test_drive_200_cases_ends_them_all_with_complete_ordered_logs(reference):
    out = StringIO()
    call_command("drive", cases=200, seed=7, no_progress=True, stdout=out)
    assert "drove 200 cases" in out.getvalue()
    cases = Case.objects.filter(version=reference["parallel"])
    assert cases.count() == 200
    assert set(cases.values_list("status", flat=True)) == {"completed"}
    assert set(cases.values_list("end_activity", flat=True)) <= {"end_issued", "end_rejected", "end_revoked"}
    assert not WorkItem.objects.filter(case__in=cases, state="open").exists()

    by_case = defaultdict(list)
    for event in Event.objects.filter(case__in=cases).order_by("id"):
        by_case[event.case_id].append(event)
    items = {i.pk: i for i in WorkItem.objects.filter(case__in=cases)}
    for case_id, events in by_case.items():
        kinds = [e.kind for e in events]
        assert kinds[0] == "case_started" and kinds[-1] == "case_ended", case_id
        assert kinds.count("case_ended") == 1
        assert [e.at for e in events] == sorted(e.at for e in events), "log out of time order"
        opened, completed, cancelled = set(), set(), set()
        for e in events:
            if e.kind == "task_opened":
                opened.add(e.work_item)
            elif e.kind == "task_cancelled":  # a rectification period that ran out
                cancelled.add(e.work_item)
            elif e.kind in ("task_completed", "task_claimed"):
                assert e.work_item in opened, f"{e.kind} before task_opened in case {case_id}"
                if e.kind == "task_completed":
                    assert e.work_item not in completed, "a task completed twice"
                    completed.add(e.work_item)
                    assert e.outcome == items[e.work_item].outcome
        case_items = {pk for pk, i in items.items() if i.case_id == case_id}
        assert opened == case_items and completed | cancelled == case_items, (
            f"case {case_id}: a work item without its events"
        )
        assert not completed & cancelled


@pytest.mark.dates
def test_drive_a_chosen_version_with_the_version_option(reference):
    out = StringIO()
    call_command("drive", "--cases", "2", "--version", "1", "--no-progress", stdout=out)
    assert set(Case.objects.values_list("version__number", flat=True)) == {1}
    assert "status: completed 2" in out.getvalue()


@pytest.mark.dates
def test_driving_a_version_that_does_not_exist_says_which_versions_do(reference):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="has no version 9; it has: 1, 2"):
        call_command("drive", "--cases", "1", "--version", "9", "--no-progress")


@pytest.mark.dates
def test_timed_drive_works_cases_in_office_hours_with_events_in_time_order(reference):
    """--timed: applications arrive one after another from the start day, every claim and completion
    falls in office hours after the task opened, and a case's log is in time order."""
    import datetime as dt

    from django.utils import timezone

    from workdays.calendar_store import get_calendar

    call_command(
        "drive",
        "--cases",
        "4",
        "--version",
        "2",
        "--seed",
        "3",
        "--timed",
        "--start",
        "2026-03-02",
        "--until",
        "2026-06-30",
        "--no-progress",
    )
    calendar = get_calendar()
    cases = list(Case.objects.order_by("id"))
    assert [c.status for c in cases] == ["completed"] * 4
    starts = [c.started_at for c in cases]
    assert starts == sorted(starts) and timezone.localtime(starts[0]).date() == dt.date(2026, 3, 2)
    assert {c.channel for c in cases} <= {"window", "online"}
    for case in cases:
        events = list(Event.objects.filter(case=case).order_by("id"))
        assert [e.at for e in events] == sorted(e.at for e in events), f"case {case.number}: log out of time order"
        assert case.concluded_at is None or case.concluded_at > case.started_at
    for item in WorkItem.objects.filter(case__in=cases, state="completed"):
        assert item.completed_at > item.opened_at
        assert calendar.working_hours_between(item.opened_at, item.completed_at) > 0
        local = timezone.localtime(item.completed_at)
        assert calendar.is_working_day(local.date()) and dt.time(9) <= local.time() <= dt.time(17, 30), local
