"""中止 / 恢复 and 终止 through the write path: a suspended case stands still (its tasks, its clocks,
its timers), resumes with the time it had left on deadlines a clerk computes from the calendar,
and a terminated case ends with every task and timer cancelled and no licence."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import translation

from engine.actions import do_complete_task, do_deliver_message, do_fire_due_timers
from engine.case_moves import do_refuse_application, do_resume_case, do_suspend_case, do_terminate_case
from engine.casework import do_send_back_task
from engine.errors import CaseNotRunning, CaseSuspended, InvalidInput, TaskConflict
from engine.models import Case, Event, WaitingTimer
from worklists.models import WorkItem

from .casework import REASON, fan_out, holding, work
from .test_api__cases import client_for
from .test_engine__business_registration import DEPARTMENT_REVIEWS, open_tasks, start

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

BEIJING = ZoneInfo("Asia/Shanghai")
User = get_user_model()
PENDING = "等待法院裁定 Pending a court decision"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def local(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M}" if moment else "—"


def test_a_suspension_across_a_weekend_moves_each_deadline_by_the_day_a_clerk_counts(
    reference, frontdesk, clerk_market, clerk_tax, head_market
):
    # Thursday 19 November 2026, 10:00: taken in, accepted, reviewed; the departments start.
    with time_machine.travel(at("2026-11-19 10:00"), tick=False):
        case = fan_out(reference, frontdesk, clerk_market)
    tax = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
    case.refresh_from_db()
    # By hand: the tax review has 1 working day (Friday) and 5 by law (Fri, Mon, Tue, Wed, Thu);
    # the case 1 working day, and 20 by law (17 December).
    assert (local(tax.due_at), local(tax.statutory_due_at)) == ("2026-11-20 17:30", "2026-11-26 17:30")
    assert (local(case.due_at), local(case.statutory_due_at)) == ("2026-11-20 17:30", "2026-12-17 17:30")

    with time_machine.travel(at("2026-11-20 10:00"), tick=False):  # Friday morning: suspended
        do_suspend_case(case.number, acting_user=head_market, reason=PENDING)
        tax.refresh_from_db()
        case.refresh_from_db()
        assert case.suspended_at is not None and case.light_now == "paused" and tax.light_now == "paused"
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):  # Monday morning: resumed
        do_resume_case(case.number, acting_user=head_market)
    tax.refresh_from_db()
    case.refresh_from_db()
    # Counted by day, Friday was used and the days left count from Monday: each deadline moves by
    # one working day, Monday (the weekend costs nothing).
    assert (local(tax.due_at), local(tax.statutory_due_at)) == ("2026-11-23 17:30", "2026-11-27 17:30")
    assert (local(case.due_at), local(case.statutory_due_at)) == ("2026-11-23 17:30", "2026-12-18 17:30")
    assert case.suspended_at is None and tax.light == "green"
    resumed = Event.objects.get(case=case, kind=Event.Kind.CASE_RESUMED)
    assert resumed.data["working_days"] == 1 and resumed.actor == head_market
    assert Event.objects.get(case=case, kind=Event.Kind.CASE_SUSPENDED).data["reason"] == PENDING


def test_a_suspended_case_cannot_be_moved_on_until_it_resumes(
    reference, frontdesk, clerk_market, clerk_tax, head_market
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    do_suspend_case(case.number, acting_user=head_market, reason=PENDING)
    with pytest.raises(CaseSuspended):
        do_complete_task(tax.pk, acting_user=clerk_tax, outcome="approve", data={})
    with pytest.raises(CaseSuspended):
        do_send_back_task(tax.pk, acting_user=clerk_tax, reason=REASON)
    with pytest.raises(CaseSuspended):
        do_deliver_message(case.number, "bank_account_opened")
    with translation.override("en"), pytest.raises(TaskConflict, match="already suspended"):
        do_suspend_case(case.number, acting_user=head_market, reason=PENDING)
    with pytest.raises(InvalidInput):
        do_suspend_case(case.number, acting_user=head_market, reason=" ")
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)

    do_resume_case(case.number, acting_user=head_market)
    with translation.override("en"), pytest.raises(TaskConflict, match="not suspended"):
        do_resume_case(case.number, acting_user=head_market)
    do_complete_task(tax.pk, acting_user=clerk_tax, outcome="approve", data={})
    assert "tax_review" not in open_tasks(case)


def test_timers_wait_while_the_case_is_suspended_and_keep_their_time(
    reference, frontdesk, clerk_market, clerk_police, clerk_tax, clerk_hrss, clerk_fund, head_market
):
    case = fan_out(reference, frontdesk, clerk_market)
    for spec, clerk in zip(DEPARTMENT_REVIEWS, (clerk_police, clerk_tax, clerk_hrss, clerk_fund), strict=True):
        work(case, spec, clerk)
    do_deliver_message(case.number, "bank_account_opened")
    timer = WaitingTimer.objects.get(case=case, task_spec="rating_window_closed", fired_at=None)
    due = timer.due_at
    suspended = dt.datetime.now(dt.UTC)
    with time_machine.travel(suspended, tick=False):
        do_suspend_case(case.number, acting_user=head_market, reason=PENDING)
    with time_machine.travel(due + dt.timedelta(days=1), tick=False):  # past due, still suspended
        assert do_fire_due_timers() == 0
    with time_machine.travel(suspended + dt.timedelta(days=3), tick=False):
        do_resume_case(case.number, acting_user=head_market)
    timer.refresh_from_db()
    assert timer.fired_at is None and timer.due_at == due + dt.timedelta(days=3)
    with time_machine.travel(timer.due_at + dt.timedelta(minutes=1), tick=False):
        assert do_fire_due_timers() == 1
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED


def test_termination_cancels_every_task_and_timer_and_ends_without_a_licence(
    reference, frontdesk, clerk_market, head_market
):
    case = fan_out(reference, frontdesk, clerk_market)
    with pytest.raises(InvalidInput) as refused:
        do_terminate_case(case.number, acting_user=head_market, reason="")
    assert "reason" in refused.value.errors
    do_terminate_case(case.number, acting_user=frontdesk, reason="申请人书面撤回申请", applicant_withdrew=True)
    case.refresh_from_db()
    assert case.status == Case.Status.CANCELLED and case.result == Case.Result.WITHDRAWN
    assert case.ended_at is not None and case.concluded_at is not None
    assert open_tasks(case) == []
    assert set(WorkItem.objects.filter(case=case, state="cancelled").values_list("task_spec", flat=True)) == set(
        DEPARTMENT_REVIEWS
    )
    assert not case.licences.exists()
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-1] == "case_ended" and "case_terminated" in kinds
    with pytest.raises(CaseNotRunning):
        do_terminate_case(case.number, acting_user=head_market, reason="again")
    with pytest.raises(CaseNotRunning):
        do_deliver_message(case.number, "bank_account_opened")


def test_a_suspended_case_can_be_terminated(reference, frontdesk, clerk_market, head_market):
    case = fan_out(reference, frontdesk, clerk_market)
    do_suspend_case(case.number, acting_user=head_market, reason=PENDING)
    do_terminate_case(case.number, acting_user=head_market, reason="法院裁定驳回 The court dismissed it")
    case.refresh_from_db()
    assert case.status == Case.Status.CANCELLED and case.result == Case.Result.TERMINATED
    assert case.suspended_at is None and not WorkItem.objects.filter(case=case, state="open").exists()


def test_refused_at_intake_the_case_ends_not_accepted_with_its_decision(reference, frontdesk, clerk_market):
    case = start(reference)
    intake = holding(case, "intake", frontdesk)
    with pytest.raises(InvalidInput):
        do_refuse_application(intake.pk, acting_user=frontdesk, reason="")
    do_refuse_application(intake.pk, acting_user=frontdesk, reason="不属于本机关职权范围 Not this office's competence")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.result == Case.Result.NOT_ACCEPTED
    intake.refresh_from_db()
    assert intake.state == WorkItem.State.COMPLETED and intake.outcome == "not_accepted"
    refused = Event.objects.get(case=case, kind=Event.Kind.CASE_NOT_ACCEPTED)
    assert refused.data["notice"].startswith(f"您的申请（办件 {case.number}）不予受理")
    assert open_tasks(case) == [] and not case.licences.exists()

    # Once accepted, the case is not refused: it is terminated instead.
    other = fan_out(reference, frontdesk, clerk_market)
    tax = holding(other, "tax_review", User.objects.get(username="clerk_tax"))
    with translation.override("en"), pytest.raises(TaskConflict, match="accepted already"):
        do_refuse_application(tax.pk, acting_user=tax.assignee, reason="x")


def test_the_intake_page_offers_the_refusal_and_the_api_does_it(client, reference, frontdesk, clerk_market):
    case = start(reference)
    intake = holding(case, "intake", frontdesk)
    client.force_login(frontdesk)
    assert "data-refuse" in client.get(f"/tasks/{intake.pk}/").content.decode()
    assert client.post(f"/tasks/{intake.pk}/refuse/", {"reason": ""}).status_code == 400
    answer = client_for(frontdesk).post(
        f"/api/v1/tasks/{intake.pk}/refuse/", {"reason": "材料不全且拒绝补正"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["outcome"] == "not_accepted"
    assert answer.json()["case_status"] == "completed"
    other = fan_out(reference, frontdesk, clerk_market)
    review = WorkItem.objects.filter(case=other, task_spec="market_review").latest("id")
    assert "data-refuse" not in client.get(f"/tasks/{review.pk}/").content.decode()
