"""Business registration end to end through the write path, as the departments would work it."""

import datetime as dt
import json

import pytest
from django.utils import timezone, translation

from engine.actions import (
    do_claim_task,
    do_complete_task,
    do_deliver_message,
    do_fire_due_timers,
    do_start_case,
)
from engine.errors import InvalidInput, MessageNotExpected, TaskConflict
from engine.models import Case, Event, WaitingTimer
from processes.actions import do_deploy_version
from tests.conftest import CORRECTION_REQUEST, decision
from worklists.models import WorkItem

DEPARTMENT_REVIEWS = ["police_review", "tax_review", "hrss_review", "fund_review"]


def open_tasks(case):
    return sorted(WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True))


def complete(case, task_spec, outcome="approve", user=None):
    item = WorkItem.objects.get(case=case, task_spec=task_spec, state="open")
    return do_complete_task(
        item.pk, acting_user=user, outcome=outcome, data=decision(outcome, item.version.user_task(task_spec))
    )


def start(reference, version="parallel", **kwargs):
    return do_start_case(
        version=reference[version],
        service_item=reference["item"],
        enterprise_name="北京并联科技有限公司",
        enterprise_uscc="91350100M000100Y43",
        **kwargs,
    )


def test_parallel_case_fans_out_to_every_department_and_ends_issued(reference, clerk_police):
    case = start(reference)
    assert open_tasks(case) == ["intake"]
    complete(case, "intake", "accept")
    complete(case, "market_review")
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)
    items = WorkItem.objects.filter(case=case, state="open")
    assert {i.department_id for i in items} == {"police", "tax", "hrss", "housing_fund"}
    assert all(i.due_at is not None and i.limit_working_days == 1 for i in items)
    for spec in DEPARTMENT_REVIEWS:
        complete(case, spec)
    assert open_tasks(case) == []  # the join still waits for the bank
    do_deliver_message(case.number, "bank_account_opened", payload={"account": "6222"})
    assert WaitingTimer.objects.filter(case=case, task_spec="rating_window_closed", fired_at=None).count() == 1
    do_deliver_message(case.number, "service_rated", payload={"rating": 5})
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
    assert not WorkItem.objects.filter(case=case, state="open").exists()
    assert WaitingTimer.objects.get(case=case).cancelled_at is not None  # the rating came first
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[0] == "case_started" and kinds[-1] == "case_ended"
    assert kinds.count("task_completed") == 6 and kinds.count("message_received") == 2


def test_serial_case_visits_departments_one_after_another(reference):
    case = start(reference, "serial")
    complete(case, "intake", "accept")
    complete(case, "market_review")
    for spec in DEPARTMENT_REVIEWS:
        assert open_tasks(case) == [spec]
        complete(case, spec)
    do_deliver_message(case.number, "bank_account_opened")
    do_deliver_message(case.number, "service_rated", payload={"rating": 4})
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"


def test_notify_and_commit_skips_substantive_review_and_opens_a_post_check(reference):
    case = start(reference, notify_commit=True)
    complete(case, "intake", "accept")
    # 马上办: no market review; the business licence is out as soon as the intake is accepted.
    assert list(case.licences.values_list("kind", flat=True)) == ["business_licence"]
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)
    for spec in DEPARTMENT_REVIEWS:
        complete(case, spec)
    do_deliver_message(case.number, "bank_account_opened")
    do_deliver_message(case.number, "service_rated")
    assert open_tasks(case) == ["post_check"]
    complete(case, "post_check", "pass")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
    assert not case.events.filter(activity="market_review").exists()
    assert sorted(case.licences.values_list("kind", flat=True)) == [
        "business_licence",
        "company_seal",
        "invoice_eligibility",
    ]


def test_correction_sends_the_task_back_through_the_front_desk(reference):
    case = start(reference)
    complete(case, "intake", "accept")
    complete(case, "market_review", "correction")
    assert open_tasks(case) == ["market_correction"]
    assert WorkItem.objects.get(case=case, task_spec="market_correction", state="open").department_id == "front_desk"
    complete(case, "market_correction", "resubmitted")
    assert open_tasks(case) == ["market_review"]


def test_a_department_rejection_ends_the_case_rejected_after_the_join(reference):
    case = start(reference)
    complete(case, "intake", "accept")
    complete(case, "market_review")
    complete(case, "tax_review", "reject")
    for spec in ["police_review", "hrss_review", "fund_review"]:
        complete(case, spec)
    do_deliver_message(case.number, "bank_account_opened")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_rejected"


def test_completing_a_task_that_is_no_longer_open_is_a_clear_conflict(reference, clerk_market):
    case = start(reference)
    item = complete(case, "intake", "accept")
    state_before = Case.objects.get(pk=case.pk).instance.state
    with pytest.raises(TaskConflict, match=f"办件 {case.number} 的任务「一窗受理」已办（"):
        do_complete_task(item.pk, acting_user=clerk_market, outcome="accept")
    with (
        translation.override("en"),
        pytest.raises(TaskConflict, match=r"task 'Intake' of .* is no longer open: completed at"),
    ):
        do_complete_task(item.pk, acting_user=clerk_market, outcome="accept")
    assert Case.objects.get(pk=case.pk).instance.state == state_before
    assert case.events.filter(kind="task_completed", work_item=item.pk).count() == 1


def test_a_task_claimed_by_one_clerk_cannot_be_completed_by_another(reference, clerk_market, head_market):
    case = start(reference)
    complete(case, "intake", "accept")
    item = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
    do_claim_task(item.pk, acting_user=clerk_market)
    with pytest.raises(TaskConflict, match="任务「营业执照审查」已由 clerk_market 签收"):
        do_claim_task(item.pk, acting_user=head_market)
    with pytest.raises(TaskConflict, match="已由 clerk_market 签收，请联系其本人或部门负责人放回"):
        do_complete_task(item.pk, acting_user=head_market, outcome="approve")
    with (
        translation.override("en"),
        pytest.raises(TaskConflict, match="'Business licence review' is claimed by clerk_market"),
    ):
        do_complete_task(item.pk, acting_user=head_market, outcome="approve")
    do_complete_task(item.pk, acting_user=clerk_market, outcome="approve")
    assert case.events.filter(kind="task_claimed", actor=clerk_market).count() == 1


def test_an_outcome_the_task_does_not_offer_is_refused_and_nothing_moves(reference):
    case = start(reference)
    item = WorkItem.objects.get(case=case, task_spec="intake")
    with pytest.raises(InvalidInput, match="请选择办理结果：受理（accept）。「一窗受理」没有“approve”这一结果。"):
        do_complete_task(item.pk, outcome="approve")
    with translation.override("en"), pytest.raises(InvalidInput, match=r"choose one of: Accept \(accept\)"):
        do_complete_task(item.pk, outcome="approve")
    item.refresh_from_db()
    assert item.state == "open" and open_tasks(case) == ["intake"]


def test_a_message_nobody_waits_for_is_refused(reference):
    case = start(reference)
    with pytest.raises(MessageNotExpected, match="当前没有在等待消息「bank_account_opened」"):
        do_deliver_message(case.number, "bank_account_opened")
    with pytest.raises(MessageNotExpected, match="没有办件 BL-1999-000000"):
        do_deliver_message("BL-1999-000000", "bank_account_opened")
    with translation.override("en"):
        with pytest.raises(MessageNotExpected, match="not waiting for the message 'bank_account_opened'"):
            do_deliver_message(case.number, "bank_account_opened")
        with pytest.raises(MessageNotExpected, match="There is no case BL-1999-000000"):
            do_deliver_message("BL-1999-000000", "bank_account_opened")


def test_the_rating_window_timer_closes_the_case_when_no_rating_comes(reference):
    case = start(reference)
    complete(case, "intake", "accept")
    complete(case, "market_review")
    for spec in DEPARTMENT_REVIEWS:
        complete(case, spec)
    do_deliver_message(case.number, "bank_account_opened")
    timer = WaitingTimer.objects.get(case=case)
    assert timer.due_at > timezone.now() + dt.timedelta(days=4)  # P5D
    assert do_fire_due_timers() == 0  # not due yet
    assert do_fire_due_timers(now=timer.due_at + dt.timedelta(minutes=1)) == 1
    assert do_fire_due_timers(now=timer.due_at + dt.timedelta(minutes=2)) == 0  # fires once
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert case.events.filter(kind="timer_fired", activity="rating_window_closed").count() == 1


def test_a_case_started_on_version_1_finishes_on_version_1_after_version_2(reference, settings):
    case = start(reference, "serial")
    complete(case, "intake", "accept")
    source = (settings.BASE_DIR / "bpmn" / "business_registration_serial.bpmn").read_text(encoding="utf-8")
    newer = do_deploy_version(
        source.replace("营业执照审查 Business licence review", "营业执照审查（新）").encode(), "v3.bpmn"
    )
    assert newer.created and newer.version.number == 3
    complete(case, "market_review")
    assert open_tasks(case) == ["police_review"]  # still serial: version 1's structure
    case.refresh_from_db()
    assert case.version.number == 1
    assert set(WorkItem.objects.filter(case=case).values_list("version__number", flat=True)) == {1}


def test_stored_state_carries_no_spec(reference):
    case = start(reference)
    envelope = json.loads(case.instance.state)
    assert envelope["format"] == 1
    assert "spec" not in envelope["state"] and "subprocess_specs" not in envelope["state"]
    assert "camunda:" not in case.instance.state and "sequenceFlow" not in case.instance.state
    assert case.instance.size == len(case.instance.state) < 20_000


def test_event_log_rows_carry_version_department_and_actor(reference, clerk_market):
    case = start(reference)
    complete(case, "intake", "accept")
    item = WorkItem.objects.get(case=case, task_spec="market_review")
    do_claim_task(item.pk, acting_user=clerk_market)
    do_complete_task(item.pk, acting_user=clerk_market, outcome="correction", data=CORRECTION_REQUEST)
    event = Event.objects.get(case=case, kind="task_completed", activity="market_review")
    assert (event.version_id, event.department, event.actor, event.outcome) == (
        reference["parallel"].pk,
        "market",
        clerk_market,
        "correction",
    )


def test_a_clerk_releases_a_task_and_the_head_reassigns_it(reference, clerk_market, head_market):
    from engine.actions import do_reassign_task, do_unclaim_task

    case = start(reference)
    complete(case, "intake", "accept")
    item = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
    do_claim_task(item.pk, acting_user=clerk_market)
    with pytest.raises(TaskConflict, match="由 clerk_market 签收，不是您"):
        do_unclaim_task(item.pk, acting_user=head_market)
    with translation.override("en"), pytest.raises(TaskConflict, match="claimed by clerk_market, not by you"):
        do_unclaim_task(item.pk, acting_user=head_market)
    do_unclaim_task(item.pk, acting_user=clerk_market)
    do_reassign_task(item.pk, acting_user=head_market, assignee=clerk_market)
    item.refresh_from_db()
    assert item.assignee == clerk_market
    kinds = list(case.events.filter(work_item=item.pk).values_list("kind", flat=True))
    assert kinds == ["task_opened", "task_claimed", "task_unclaimed", "task_reassigned"]
