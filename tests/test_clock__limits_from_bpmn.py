"""Limits are the designer's: set in the BPMN, by property or by Camunda's dueDate."""

import pytest
from django.utils import translation

from engine.actions import do_complete_task, do_start_case
from processes.actions import do_deploy_version, lint_bytes
from tests.conftest import FIXTURES
from workdays.clock import Limit, limit_from_due_date
from workdays.deadlines import due_at
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates


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


def market_review_of_a_case(source: str):
    version = do_deploy_version(source.encode(), "camunda.bpmn").version
    case = do_start_case(version=version)
    do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, outcome="accept", data={"approved": True})
    return WorkItem.objects.get(case=case, task_spec="market_review")


def test_a_camunda_modeler_due_date_sets_the_limit_when_no_property_does(db):
    source = (FIXTURES / "dialects" / "camunda_modeler.bpmn").read_text(encoding="utf-8")
    without_property = source.replace('<camunda:property name="promised_limit_working_days" value="3" />', "")
    review = market_review_of_a_case(without_property)  # dueDate ${dateTime().plusDays(5).toDate()}
    assert review.due_at == due_at(review.opened_at, 5)


def test_the_limit_property_wins_over_the_due_date(db):
    review = market_review_of_a_case((FIXTURES / "dialects" / "camunda_modeler.bpmn").read_text(encoding="utf-8"))
    assert review.limit_working_days == 3 and review.due_at == due_at(review.opened_at, 3)


def test_properties_set_promised_and_statutory_limits_in_the_reference_process(reference):
    case = do_start_case(version=reference["parallel"], service_item=reference["item"])
    intake = WorkItem.objects.get(case=case, task_spec="intake")
    assert intake.limit_working_days == 1 and intake.statutory_due_at > intake.due_at


def test_lint_refuses_a_due_date_it_cannot_count(db):
    source = (FIXTURES / "engine" / "review_with_correction.bpmn").read_text(encoding="utf-8")
    broken = source.replace(
        '<bpmn:userTask id="review" name="审查 Review">',
        '<bpmn:userTask id="review" name="审查 Review" camunda:dueDate="next Friday">',
    )
    problems = lint_bytes(broken.encode(), "review.bpmn")
    assert [p.message for p in problems if "dueDate" in p.message] == [
        "review 的 camunda:dueDate：无法识别“next Friday”；请写 P<n>D（n 个工作日）、PT<n>H（n 个工作小时）或 ${dateTime().plusDays(n)}"
    ]
    with translation.override("en"):
        problems = lint_bytes(broken.encode(), "review.bpmn")
    assert [p.message for p in problems if "dueDate" in p.message] == [
        "camunda:dueDate of review: 'next Friday' is not understood; write P<n>D (n working days), PT<n>H (n working hours) or ${dateTime().plusDays(n)}"
    ]
