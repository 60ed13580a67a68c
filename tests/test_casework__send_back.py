"""退回 and 撤回 through the write path: a case sent back to an earlier step, inside a parallel
fan-out and past it, and a completed task taken back by its clerk, on business registration."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from engine.actions import do_complete_task, do_deliver_message
from engine.casework import can_withdraw, do_send_back_task, do_withdraw_task, send_back_choices
from engine.errors import InvalidInput, TaskConflict
from engine.models import Case, Event
from processes.actions import do_deploy_version
from processes.bpmn_file import BpmnFileError
from worklists.models import WorkItem

from .casework import REASON, fan_out, holding, work
from .eventlog_cases import export
from .test_engine__business_registration import DEPARTMENT_REVIEWS, open_tasks, start


@pytest.fixture
def fanned_out(reference, frontdesk, clerk_market):
    return fan_out(reference, frontdesk, clerk_market)


def test_a_department_sends_the_case_back_past_the_fan_out_and_the_join_fires_once(
    fanned_out, clerk_market, clerk_police, clerk_tax, clerk_hrss, clerk_fund
):
    case = fanned_out
    work(case, "police_review", clerk_police)
    item = holding(case, "tax_review", clerk_tax)
    assert [c["spec"] for c in send_back_choices(item)] == ["market_review", "intake"]  # nearest first

    do_send_back_task(item.pk, acting_user=clerk_tax, reason=REASON, to_step="market_review")

    item.refresh_from_db()
    assert item.state == WorkItem.State.SENT_BACK and item.completed_by == clerk_tax
    assert open_tasks(case) == ["market_review"]  # every branch went, the bank's wait with them
    cancelled = WorkItem.objects.filter(case=case, state="cancelled").values_list("task_spec", flat=True)
    assert sorted(cancelled) == ["fund_review", "hrss_review"]
    reopened = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
    assert reopened.department_id == "market" and reopened.due_at is not None
    sent = Event.objects.get(case=case, kind=Event.Kind.TASK_SENT_BACK)
    assert sent.actor == clerk_tax and sent.data["reason"] == REASON and sent.data["to"] == "market_review"

    # The flow goes on from there; the join waits for every branch again and fires once.
    work(case, "market_review", clerk_market)
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)
    for spec, clerk in zip(DEPARTMENT_REVIEWS, (clerk_police, clerk_tax, clerk_hrss, clerk_fund), strict=True):
        work(case, spec, clerk)
    do_deliver_message(case.number, "bank_account_opened")
    do_deliver_message(case.number, "service_rated", payload={"rating": 5})
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
    assert case.events.filter(kind=Event.Kind.CASE_CONCLUDED).count() == 1
    issued = case.events.filter(kind=Event.Kind.LICENCE_ISSUED).count()
    assert issued == len(reference_licences(case))


def reference_licences(case):
    return case.version.elements["effects"]["issue_licences"]["issues"]


def test_inside_the_fan_out_a_send_back_leaves_the_other_branches_alone(fanned_out, frontdesk, clerk_police, clerk_tax):
    case = fanned_out
    work(case, "tax_review", clerk_tax)
    work(case, "police_review", clerk_police, "correction")
    correction = holding(case, "police_correction", frontdesk)
    choices = [c["spec"] for c in send_back_choices(correction)]
    assert choices[0] == "police_review"  # the previous step, in its own branch

    do_send_back_task(correction.pk, acting_user=frontdesk, reason=REASON)  # to the previous one

    assert open_tasks(case) == ["fund_review", "hrss_review", "police_review"]
    assert WorkItem.objects.get(case=case, task_spec="tax_review").state == WorkItem.State.COMPLETED
    assert not WorkItem.objects.filter(case=case, state="cancelled").exists()
    # The department sent back to reads why.
    police = WorkItem.objects.get(case=case, task_spec="police_review", state="open")
    assert police.case.events.filter(kind=Event.Kind.TASK_SENT_BACK, data__to="police_review").exists()


def test_a_send_back_needs_its_reason_the_holder_and_an_offered_step(fanned_out, clerk_police, clerk_tax):
    case = fanned_out
    item = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
    with translation.override("en"), pytest.raises(TaskConflict, match="claim task"):
        do_send_back_task(item.pk, acting_user=clerk_tax, reason=REASON)
    item = holding(case, "tax_review", clerk_tax)
    with pytest.raises(InvalidInput) as refused:
        do_send_back_task(item.pk, acting_user=clerk_tax, reason="  ")
    assert "reason" in refused.value.errors
    with pytest.raises(TaskConflict):
        do_send_back_task(item.pk, acting_user=clerk_police, reason=REASON)
    with pytest.raises(InvalidInput) as refused:
        do_send_back_task(item.pk, acting_user=clerk_tax, reason=REASON, to_step="police_review")
    assert "to_step" in refused.value.errors
    # Nothing moved.
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)
    assert not Event.objects.filter(case=case, kind=Event.Kind.TASK_SENT_BACK).exists()


def test_a_second_send_back_of_the_same_task_is_a_conflict(fanned_out, clerk_tax):
    item = holding(fanned_out, "tax_review", clerk_tax)
    do_send_back_task(item.pk, acting_user=clerk_tax, reason=REASON)
    with translation.override("en"), pytest.raises(TaskConflict, match="no longer open: sent back by clerk_tax"):
        do_send_back_task(item.pk, acting_user=clerk_tax, reason=REASON)
    assert Event.objects.filter(case=fanned_out, kind=Event.Kind.TASK_SENT_BACK).count() == 1


def test_the_clerk_takes_back_a_completed_task_while_no_one_acted_on_it(reference, frontdesk, clerk_market):
    case = start(reference)
    work(case, "intake", frontdesk, "accept")
    done = work(case, "market_review", clerk_market)
    assert can_withdraw(done, clerk_market) and not can_withdraw(done, frontdesk)

    reopened = do_withdraw_task(done.pk, acting_user=clerk_market, reason="填错了 Entered in error")

    done.refresh_from_db()
    assert done.state == WorkItem.State.WITHDRAWN
    assert open_tasks(case) == ["market_review"]
    assert reopened.task_spec == "market_review" and reopened.assignee == clerk_market  # in the clerk's inbox
    assert sorted(WorkItem.objects.filter(case=case, state="cancelled").values_list("task_spec", flat=True)) == sorted(
        DEPARTMENT_REVIEWS
    )
    assert Event.objects.filter(case=case, kind=Event.Kind.TASK_WITHDRAWN, actor=clerk_market).count() == 1
    # Worked again, the case goes on as before.
    do_complete_task(reopened.pk, acting_user=clerk_market, outcome="approve", data={})
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)


def test_a_completed_task_cannot_be_taken_back_once_the_next_department_claimed(
    reference, frontdesk, clerk_market, clerk_police
):
    case = start(reference)
    work(case, "intake", frontdesk, "accept")
    done = work(case, "market_review", clerk_market)
    holding(case, "police_review", clerk_police)
    assert not can_withdraw(done, clerk_market)
    with translation.override("en"), pytest.raises(TaskConflict, match="work has gone on"):
        do_withdraw_task(done.pk, acting_user=clerk_market)
    with translation.override("en"), pytest.raises(TaskConflict, match="only the clerk"):
        do_withdraw_task(done.pk, acting_user=clerk_police)
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)
    done.refresh_from_db()
    assert done.state == WorkItem.State.COMPLETED


def with_send_back(tax: str, police: str = "") -> bytes:
    """The reference v2 with ``send_back_to`` set on the tax (and police) review."""
    text = (Path(settings.BASE_DIR) / "bpmn" / "business_registration.bpmn").read_text(encoding="utf-8")
    for task, value in (("tax_review", tax), ("police_review", police)):
        if not value:
            continue
        anchor = f'<bpmn:userTask id="{task}"'
        at = text.index("<camunda:properties>", text.index(anchor)) + len("<camunda:properties>")
        text = text[:at] + f'\n          <camunda:property name="send_back_to" value="{value}" />' + text[at:]
    return text.encode()


def test_the_designer_limits_where_a_step_may_send_back_to(reference, frontdesk, clerk_market, clerk_police, clerk_tax):
    version = do_deploy_version(with_send_back("intake", police="none"), "business_registration.bpmn").version
    case = start({**reference, "parallel": version})
    work(case, "intake", frontdesk, "accept")
    work(case, "market_review", clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    assert [c["spec"] for c in send_back_choices(tax)] == ["intake"]
    with pytest.raises(InvalidInput):
        do_send_back_task(tax.pk, acting_user=clerk_tax, reason=REASON, to_step="market_review")
    police = holding(case, "police_review", clerk_police)
    assert send_back_choices(police) == []
    with pytest.raises(InvalidInput):
        do_send_back_task(police.pk, acting_user=clerk_police, reason=REASON)
    do_send_back_task(tax.pk, acting_user=clerk_tax, reason=REASON, to_step="intake")
    assert open_tasks(case) == ["intake"]


def test_lint_names_a_send_back_step_that_is_not_a_user_task(reference):
    with translation.override("en"), pytest.raises(BpmnFileError) as refused:
        do_deploy_version(with_send_back("intake, gw_commit, nowhere"), "business_registration.bpmn")
    messages = [problem.message for problem in refused.value.problems]
    assert (
        "send_back_to of tax_review: gw_commit, nowhere: not a user task of this process; name user tasks, "
        "separated by commas, or none" in messages
    ), messages


def test_the_event_log_export_carries_each_move_as_a_lifecycle_transition(
    fanned_out, reference, frontdesk, clerk_market, clerk_tax, tmp_path
):
    tax = holding(fanned_out, "tax_review", clerk_tax)
    do_send_back_task(tax.pk, acting_user=clerk_tax, reason=REASON, to_step="market_review")
    done = work(fanned_out, "market_review", clerk_market)
    do_withdraw_task(done.pk, acting_user=clerk_market)
    with open(export(tmp_path / "log.csv", "csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_item = {}
    for row in rows:
        by_item.setdefault(row["concept:instance"], []).append(row["lifecycle:transition"])
    assert by_item[str(tax.pk)] == ["schedule", "start", "ate_abort"]
    assert by_item[str(done.pk)] == ["schedule", "start", "complete", "withdraw"]
