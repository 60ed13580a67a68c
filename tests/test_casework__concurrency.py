"""退回 and 撤回 racing other moves on the same case, on real PostgreSQL connections, many rounds.

Every round must end in one consistent state: each racer either did all of its move or was told
why not (TaskConflict), no work item was completed twice, the open work items are exactly the
process's ready user tasks, and a case sent back past the fan-out later joins once.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest

from engine import workflow_tasks as wt
from engine.actions import do_claim_task, do_complete_task, do_deliver_message
from engine.case_moves import do_suspend_case
from engine.casework import do_send_back_task, do_withdraw_task
from engine.errors import CaseSuspended, InvalidInput, TaskConflict
from engine.models import Case, Event
from engine.stepping import Step
from tests.conftest import needs_postgres
from worklists.models import WorkItem

from .test_concurrency__postgres import DEPARTMENT_REVIEWS, case_at_the_fork, open_item, race, user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12
REASON = "材料与审查意见不符 The material does not match the review."


def consistent(case: Case) -> None:
    """The rows say what the workflow says, and nothing was done twice."""
    case.refresh_from_db()
    step = Step.lock(case.pk)
    ready = {t.id for t in wt.ready_user_tasks(step.workflow)}
    open_ids = set(WorkItem.objects.filter(case=case, state="open").values_list("task_id", flat=True))
    assert open_ids == ready, (open_ids, ready)
    if case.status != Case.Status.RUNNING:
        assert not open_ids
    completions = Counter(
        Event.objects.filter(case=case, kind=Event.Kind.TASK_COMPLETED).values_list("work_item", flat=True)
    )
    assert all(n == 1 for n in completions.values()), completions
    assert not WorkItem.objects.filter(case=case, state="completed", completed_at=None).exists()


def only_conflicts(outcomes) -> None:
    assert all(o.ok or isinstance(o.error, TaskConflict) for o in outcomes), outcomes


def test_a_send_back_racing_a_completion_of_the_same_task_one_wins(reference):
    needs_postgres()
    clerk = user("clerk_tax")
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        item = open_item(case, "tax_review")
        do_claim_task(item.pk, acting_user=clerk)
        outcomes = race(
            partial(do_send_back_task, item.pk, acting_user=clerk, reason=REASON, to_step="market_review"),
            partial(do_complete_task, item.pk, acting_user=clerk, outcome="approve", data={}),
        )
        only_conflicts(outcomes)
        assert sum(o.ok for o in outcomes) == 1, outcomes
        item.refresh_from_db()
        if outcomes[0].ok:
            assert item.state == WorkItem.State.SENT_BACK
            assert set(WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True)) == {
                "market_review"
            }
        else:
            assert item.state == WorkItem.State.COMPLETED
            assert not Event.objects.filter(case=case, kind=Event.Kind.TASK_SENT_BACK).exists()
        consistent(case)


def test_a_withdrawal_racing_the_next_department_s_claim_one_wins(reference):
    needs_postgres()
    market, police = user("clerk_market"), user("clerk_police")
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        done = WorkItem.objects.get(case=case, task_spec="market_review", state="completed")
        outcomes = race(
            partial(do_withdraw_task, done.pk, acting_user=market),
            partial(do_claim_task, open_item(case, "police_review").pk, acting_user=police),
        )
        only_conflicts(outcomes)
        assert sum(o.ok for o in outcomes) == 1, outcomes
        specs = set(WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True))
        if outcomes[0].ok:  # taken back: the departments' work went, the review is the clerk's again
            assert specs == {"market_review"}
            assert open_item(case, "market_review").assignee == market
        else:  # claimed first: the review stands
            assert specs == set(DEPARTMENT_REVIEWS) and open_item(case, "police_review").assignee == police
        consistent(case)


def test_five_branches_one_sent_back_past_the_fan_out_while_the_others_complete(reference):
    needs_postgres()
    clerks = {spec: user(name) for spec, name in DEPARTMENT_REVIEWS.items()}
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        items = {spec: open_item(case, spec) for spec in DEPARTMENT_REVIEWS}
        for spec, item in items.items():
            do_claim_task(item.pk, acting_user=clerks[spec])
        moves = [
            partial(
                do_send_back_task,
                items["tax_review"].pk,
                acting_user=clerks["tax_review"],
                reason=REASON,
                to_step="market_review",
            ),  # fmt: skip
            partial(do_deliver_message, case.number, "bank_account_opened"),
        ]
        for spec in ("police_review", "hrss_review", "fund_review"):
            moves.append(
                partial(do_complete_task, items[spec].pk, acting_user=clerks[spec], outcome="approve", data={})
            )
        outcomes = race(*moves)
        sent_back, bank = outcomes[0], outcomes[1]
        # A move after the send-back finds its task gone (TaskConflict) or, for the bank, no wait
        # any more (MessageNotExpected). The send-back itself is refused only when the bank's
        # message came first: a message received cannot be received again (engine.rewind).
        assert all(o.ok or type(o.error).__name__ in ("TaskConflict", "MessageNotExpected") for o in outcomes[1:])
        specs = set(WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True))
        if sent_back.ok:
            assert specs == {"market_review"}, outcomes
        else:
            assert isinstance(sent_back.error, InvalidInput) and "to_step" in sent_back.error.errors, outcomes
            assert bank.ok and specs == {"tax_review"}, outcomes
            assert not Event.objects.filter(case=case, kind=Event.Kind.TASK_SENT_BACK).exists()
        consistent(case)
        if not sent_back.ok:
            continue

        # Then the case runs on, and the join fires exactly once.
        do_complete_task(open_item(case, "market_review").pk, acting_user=user("clerk_market"), outcome="approve")
        for spec in DEPARTMENT_REVIEWS:
            item = open_item(case, spec)
            do_claim_task(item.pk, acting_user=clerks[spec])
            do_complete_task(item.pk, acting_user=clerks[spec], outcome="approve", data={})
        do_deliver_message(case.number, "bank_account_opened")
        case.refresh_from_db()
        assert case.events.filter(kind=Event.Kind.CASE_CONCLUDED).count() == 1
        assert case.events.filter(kind=Event.Kind.MESSAGE_RECEIVED, activity="bank_account_opened").count() >= 1
        consistent(case)


def test_a_suspension_racing_a_completion_one_lands_first_and_the_other_sees_it(reference):
    needs_postgres()
    clerk, head = user("clerk_tax"), user("head_market")
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        item = open_item(case, "tax_review")
        do_claim_task(item.pk, acting_user=clerk)
        outcomes = race(
            partial(do_suspend_case, case.number, acting_user=head, reason="听证"),
            partial(do_complete_task, item.pk, acting_user=clerk, outcome="approve", data={}),
        )
        suspended, completed = outcomes
        assert suspended.ok, outcomes  # a suspension never waits on a task
        item.refresh_from_db()
        case.refresh_from_db()
        assert case.suspended_at is not None and case.light == "paused"
        if completed.ok:  # completed first, then suspended
            assert item.state == WorkItem.State.COMPLETED
        else:  # suspended first: the completion is refused, and nothing of it was written
            assert isinstance(completed.error, CaseSuspended), outcomes
            assert item.state == WorkItem.State.OPEN
            assert not Event.objects.filter(case=case, kind=Event.Kind.TASK_COMPLETED, work_item=item.pk).exists()
        # No open task of the suspended case runs a clock.
        assert not WorkItem.objects.filter(case=case, state="open", light__in=["green", "yellow"]).exists()
        consistent(case)
