"""`manage.py drive` works cases to the end; each case's event log is complete and in order."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from engine.models import Case, Event
from worklists.models import WorkItem


@pytest.mark.slow
def test_drive_200_cases_ends_them_all_with_complete_ordered_logs(reference):
    out = StringIO()
    call_command("drive", cases=200, seed=7, no_progress=True, stdout=out)
    assert "drove 200 cases" in out.getvalue()
    cases = Case.objects.filter(version=reference["parallel"])
    assert cases.count() == 200
    assert set(cases.values_list("status", flat=True)) == {"completed"}
    assert set(cases.values_list("end_activity", flat=True)) <= {"end_issued", "end_rejected"}
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
        opened, completed = set(), set()
        for e in events:
            if e.kind == "task_opened":
                opened.add(e.work_item)
            elif e.kind in ("task_completed", "task_claimed"):
                assert e.work_item in opened, f"{e.kind} before task_opened in case {case_id}"
                if e.kind == "task_completed":
                    assert e.work_item not in completed, "a task completed twice"
                    completed.add(e.work_item)
                    assert e.outcome == items[e.work_item].outcome
        case_items = {pk for pk, i in items.items() if i.case_id == case_id}
        assert opened == case_items and completed == case_items, f"case {case_id}: a work item without its events"


def test_drive_a_chosen_version_with_the_version_option(reference):
    out = StringIO()
    call_command("drive", "--cases", "2", "--version", "1", "--no-progress", stdout=out)
    assert set(Case.objects.values_list("version__number", flat=True)) == {1}
    assert "status: completed 2" in out.getvalue()


def test_driving_a_version_that_does_not_exist_says_which_versions_do(reference):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="has no version 9; it has: 1, 2"):
        call_command("drive", "--cases", "1", "--version", "9", "--no-progress")
