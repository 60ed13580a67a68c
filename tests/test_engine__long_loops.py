"""A case that loops hundreds of times must neither lose its open task nor end by itself.

SpiffWorkflow's task iterator stops at depth 1000; past that a looping case's ready task is
invisible to it and the workflow calls itself completed. The engine reads the task dictionaries
instead and refuses to end a case with live tasks.
"""

import pytest

from engine.actions import do_complete_task, do_start_case
from engine.models import Case
from processes.actions import do_deploy_version
from tests.conftest import CORRECTION_REQUEST, FIXTURES
from worklists.models import WorkItem

TURNS = 520


@pytest.mark.slow
def test_a_review_corrected_hundreds_of_times_stays_open_and_ends_only_when_approved(db):
    version = do_deploy_version((FIXTURES / "engine" / "review_loop.bpmn").read_bytes(), "review_loop.bpmn").version
    case = do_start_case(version=version)
    for turn in range(TURNS):
        item = WorkItem.objects.get(case=case, state="open")
        do_complete_task(item.pk, outcome="correction", data=CORRECTION_REQUEST)
        case.refresh_from_db()
        assert case.status == Case.Status.RUNNING, f"the case ended by itself after {turn + 1} corrections"
    item = WorkItem.objects.get(case=case, state="open")
    do_complete_task(item.pk, outcome="approve")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "done"
    assert case.events.filter(kind="task_completed").count() == TURNS + 1
