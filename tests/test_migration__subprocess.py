"""A case inside an embedded subprocess moves to a version that left the subprocess as it was, and
is refused by one that changed it (tests/fixtures/migration/inspection_v1..3.bpmn)."""

from __future__ import annotations

import pytest

from engine.actions import do_complete_task, do_start_case
from engine.migration import do_migrate_cases, dry_run
from engine.models import Case
from processes.actions import do_deploy_version
from tests.permits import MIGRATION, finish
from worklists.models import WorkItem


@pytest.fixture
def inspection(db):
    return [
        do_deploy_version((MIGRATION / f"inspection_v{n}.bpmn").read_bytes(), f"inspection_v{n}.bpmn").version
        for n in (1, 2, 3)
    ]


def test_a_case_inside_an_unchanged_subprocess_moves_and_one_inside_a_changed_one_does_not(inspection):
    v1, v2, v3 = inspection
    inside, after = do_start_case(version=v1), do_start_case(version=v1)
    do_complete_task(WorkItem.objects.get(case=after, task_spec="inspect").pk)
    verdicts = {v.number: v for v in dry_run(v1, v3)}
    assert not verdicts[inside.number].movable and "inspection" in verdicts[inside.number].reason()
    assert verdicts[after.number].movable

    report = do_migrate_cases(v1, v2)
    assert sorted(report.migrated) == sorted([inside.number, after.number]), report
    item = WorkItem.objects.get(case=inside, state="open")
    assert (item.task_spec, item.version) == ("inspect", v2)
    # Version 3 changed the subprocess: the case inside it stays; the one past it moves, and the
    # finished subprocess stays behind in the history.
    report = do_migrate_cases(v2, v3)
    assert report.migrated == [after.number] and report.refused[0][0] == inside.number
    # The case that left the subprocess on v1 is past v2's new step; the one inside it is not.
    for case, notified in ((inside, True), (after, False)):
        case = finish(case)
        assert case.status == Case.Status.COMPLETED
        assert ("notify" in set(WorkItem.objects.filter(case=case).values_list("task_spec", flat=True))) == notified
