"""Limits are the designer's: set in the BPMN, by property or by Camunda's dueDate."""

import pytest

from engine.actions import do_complete_task, do_start_case
from processes.actions import do_deploy_version, lint_bytes
from sla.clock import Limit, limit_from_due_date
from tests.conftest import FIXTURES
from worklists.models import WorkItem


@pytest.mark.parametrize(
    "text, limit",
    [
        ("P5D", Limit(working_days=5)),
        ("PT4H", Limit(working_hours=4.0)),
        ("${dateTime().plusDays(3).toDate()}", Limit(working_days=3)),
        ("${dateTime().plusHours(2)}", Limit(working_hours=2.0)),
        ("tomorrow", None),
        ("${now() + 5}", None),
    ],
)
def test_camunda_due_dates_read_as_working_limits(text, limit):
    assert limit_from_due_date(text) == limit


def test_a_camunda_modeler_due_date_sets_the_task_limit(db):
    version = do_deploy_version((FIXTURES / "dialects" / "camunda_modeler.bpmn").read_bytes(), "camunda.bpmn").version
    case = do_start_case(version=version)
    do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, outcome="accept", data={"approved": True})
    review = WorkItem.objects.get(case=case, task_spec="market_review")
    assert review.limit_working_days is None  # no property: the dueDate speaks
    assert review.due_at is not None and review.light == "green"


def test_properties_set_promised_and_statutory_limits_in_the_reference_process(reference):
    case = do_start_case(version=reference["parallel"], service_item=reference["item"])
    intake = WorkItem.objects.get(case=case, task_spec="intake")
    assert intake.limit_working_days == 1 and intake.statutory_due_at > intake.due_at


def test_lint_refuses_a_due_date_it_cannot_count(db):
    source = (FIXTURES / "engine" / "review_with_correction.bpmn").read_text(encoding="utf-8")
    broken = source.replace('<bpmn:userTask id="review" name="审查 Review">',
                            '<bpmn:userTask id="review" name="审查 Review" camunda:dueDate="next Friday">')  # fmt: skip
    problems = lint_bytes(broken.encode(), "review.bpmn")
    assert [p.message for p in problems if "dueDate" in p.message] == [
        "camunda:dueDate of review: 'next Friday' is not understood; write P<n>D (n working days), PT<n>H (n working hours) or ${dateTime().plusDays(n)}"
    ]
