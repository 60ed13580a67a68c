"""Workflows kept between steps are only ever the state in the database, also after a failure.

These tests commit for real (transaction=True), so that the cache is filled after each commit.
"""

import pytest
from django.utils import translation

from engine.actions import do_complete_task, do_start_case
from engine.errors import StepFailed
from engine.models import Case
from engine.workflow_cache import workflows
from processes.actions import do_deploy_version
from tests.conftest import FIXTURES
from worklists.models import WorkItem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fee_review():
    workflows.clear()
    yield do_deploy_version((FIXTURES / "engine" / "amount_gateway.bpmn").read_bytes(), "fee.bpmn").version
    workflows.clear()


def open_item(case):
    return WorkItem.objects.get(case=case, state="open")


def test_a_step_that_fails_after_changing_the_workflow_leaves_nothing_stale(fee_review):
    case = do_start_case(version=fee_review)
    review = open_item(case)
    with pytest.raises(StepFailed, match="流程无法继续：gw：办件数据中没有“amount”：amount > 100"):
        do_complete_task(review.pk, outcome="", data={})  # the gateway needs an amount: rolled back
    with translation.override("en"), pytest.raises(StepFailed) as in_english:
        do_complete_task(review.pk, outcome="", data={})
    assert str(in_english.value) == (
        "The process could not continue: gw: name 'amount' is not defined in the case data: amount > 100"
    )
    review.refresh_from_db()
    assert review.state == "open"
    do_complete_task(review.pk, data={"amount": 500})  # the same task again, from the saved state
    assert open_item(case).task_spec == "second_review"


def test_the_kept_workflow_is_used_while_it_is_current_and_dropped_when_it_is_not(fee_review):
    case = do_start_case(version=fee_review)
    case.refresh_from_db()
    assert workflows.take(case.pk, case.steps) is not None  # kept after the commit
    assert workflows.take(case.pk, case.steps) is None  # taken out while in use
    do_complete_task(open_item(case).pk, data={"amount": 500})
    case.refresh_from_db()
    # Another process stepped the case: this process's copy is one step behind and is ignored.
    Case.objects.filter(pk=case.pk).update(steps=case.steps + 1)
    assert workflows.take(case.pk, case.steps + 1) is None
    do_complete_task(open_item(case).pk, data={})
    case.refresh_from_db()
    assert case.status == "completed" and case.end_activity == "done"
