"""Clerks and outside systems acting on the same case at the same moment, on real connections.

Each racer runs in its own thread, so it has its own database connection and its own
transaction; a barrier releases them together so they reach the case row at the same time.
The write path locks the case row first: of two clerks, one wins and the other is told the
task is taken; of five branches finishing together, each sees the ones before it, and the
join fires once. Only PostgreSQL locks rows, so these run in the PostgreSQL pass only.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from engine.actions import do_claim_task, do_complete_task, do_deliver_message, do_fire_timer, do_start_case
from engine.errors import TaskConflict
from engine.models import Case, Event, WaitingTimer
from tests.conftest import needs_postgres
from worklists.models import StaffMember, WorkItem
from worklists.people import do_create_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
DEPARTMENT_REVIEWS = {
    "police_review": "clerk_police",
    "tax_review": "clerk_tax",
    "hrss_review": "clerk_hrss",
    "fund_review": "clerk_fund",
}
RACE_TIMEOUT = 60  # seconds; a racer still running after this is a deadlock, not a slow test


class Outcome:
    """What one racer got back: a value, or the exception it raised."""

    def __init__(self):
        self.value = None
        self.error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __repr__(self):
        return f"<ok {self.value!r}>" if self.ok else f"<{type(self.error).__name__}: {self.error}>"


def race(*actions, language: str = "en") -> list[Outcome]:
    """Run each action in its own thread (own connection, own transaction), all released at once.
    The racers ask in ``language`` (a thread starts in the site's): the tests read their refusals."""
    barrier = threading.Barrier(len(actions))
    outcomes = [Outcome() for _ in actions]

    def run(action, outcome):
        translation.activate(language)
        try:
            connection.ensure_connection()  # connect first, so the barrier releases only the SQL
            barrier.wait(timeout=RACE_TIMEOUT)
            outcome.value = action()
        except BaseException as error:  # noqa: BLE001 - every outcome is reported to the test
            outcome.error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a, o), daemon=True) for a, o in zip(actions, outcomes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_TIMEOUT)
    assert not any(t.is_alive() for t in threads), f"racers still running after {RACE_TIMEOUT} s: {outcomes}"
    return outcomes


def user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def second_tax_clerk():
    return do_create_staff("clerk_tax_2", role=StaffMember.Role.CLERK, department="tax")


def open_item(case, task_spec) -> WorkItem:
    return WorkItem.objects.get(case=case, task_spec=task_spec, state=WorkItem.State.OPEN)


def case_at_the_fork(reference, n: int) -> Case:
    """A parallel-process case accepted and reviewed by market regulation: four reviews and the bank open."""
    case = do_start_case(
        version=reference["parallel"],
        service_item=reference["item"],
        applicant_name="张伟",
        enterprise_name=f"北京并联科技{n}有限公司",
    )
    do_complete_task(open_item(case, "intake").pk, acting_user=user("frontdesk"), outcome="accept")
    do_complete_task(open_item(case, "market_review").pk, acting_user=user("clerk_market"), outcome="approve")
    open_specs = WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True)
    assert set(open_specs) == set(DEPARTMENT_REVIEWS)
    return case


def exactly_one_won(outcomes: list[Outcome]) -> tuple[Outcome, Outcome]:
    winners = [o for o in outcomes if o.ok]
    losers = [o for o in outcomes if not o.ok]
    assert len(winners) == 1, f"expected exactly one winner: {outcomes}"
    assert all(isinstance(o.error, TaskConflict) for o in losers), f"the loser must get TaskConflict: {outcomes}"
    return winners[0], losers[0]


def test_two_clerks_completing_the_same_task_one_wins_one_gets_conflict(reference):
    needs_postgres()
    clerks = [user("clerk_tax"), second_tax_clerk()]
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        item = open_item(case, "tax_review")
        outcomes = race(*[partial(do_complete_task, item.pk, acting_user=clerk, outcome="approve") for clerk in clerks])
        winner, loser = exactly_one_won(outcomes)
        assert "no longer open" in str(loser.error)

        item.refresh_from_db()
        assert item.state == WorkItem.State.COMPLETED and item.outcome == "approve"
        assert item.completed_by_id == winner.value.completed_by_id
        completed = Event.objects.filter(case=case, kind=Event.Kind.TASK_COMPLETED, work_item=item.pk)
        assert completed.count() == 1
        assert completed.get().actor_id == item.completed_by_id
        # The process moved once: the other three reviews are still open, tax has no second item.
        assert not WorkItem.objects.filter(case=case, task_spec="tax_review", state="open").exists()
        assert WorkItem.objects.filter(case=case, task_spec="tax_review").count() == 1
        assert WorkItem.objects.filter(case=case, state="open").count() == 3


def test_two_clerks_claiming_the_same_task_one_wins_one_gets_conflict(reference):
    needs_postgres()
    clerks = [user("clerk_tax"), second_tax_clerk()]
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        item = open_item(case, "tax_review")
        outcomes = race(*[partial(do_claim_task, item.pk, acting_user=clerk) for clerk in clerks])
        winner, loser = exactly_one_won(outcomes)
        assert "already claimed" in str(loser.error)

        item.refresh_from_db()
        assert item.state == WorkItem.State.OPEN
        assert item.assignee_id == winner.value.assignee_id and item.assignee_id in {c.pk for c in clerks}
        claims = Event.objects.filter(case=case, kind=Event.Kind.TASK_CLAIMED, work_item=item.pk)
        assert list(claims.values_list("actor_id", flat=True)) == [item.assignee_id]


def test_a_claim_racing_another_clerks_completion_never_leaves_the_task_done_by_one_and_held_by_the_other(reference):
    needs_postgres()
    claimer, completer = user("clerk_tax"), second_tax_clerk()
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        item = open_item(case, "tax_review")
        claim, complete = race(
            partial(do_claim_task, item.pk, acting_user=claimer),
            partial(do_complete_task, item.pk, acting_user=completer, outcome="approve"),
        )
        exactly_one_won([claim, complete])
        item.refresh_from_db()
        if claim.ok:  # claimed first: the other clerk is told who holds it, and nothing moved
            assert "claimed by" in str(complete.error)
            assert item.state == WorkItem.State.OPEN and item.assignee_id == claimer.pk
            assert not Event.objects.filter(case=case, kind=Event.Kind.TASK_COMPLETED, work_item=item.pk).exists()
        else:  # completed first: the claim is told it is no longer open, and holds nothing
            assert "no longer open" in str(claim.error)
            assert item.state == WorkItem.State.COMPLETED and item.completed_by_id == completer.pk
            assert item.assignee_id is None
            assert not Event.objects.filter(case=case, kind=Event.Kind.TASK_CLAIMED, work_item=item.pk).exists()


def test_five_branches_finishing_at_once_all_succeed_and_the_join_fires_once(reference):
    needs_postgres()
    clerks = {spec: user(name) for spec, name in DEPARTMENT_REVIEWS.items()}
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        items = {spec: open_item(case, spec) for spec in DEPARTMENT_REVIEWS}
        completions = [
            partial(
                do_complete_task, items[spec].pk, acting_user=clerks[spec], outcome="approve", data={"opinion": "同意"}
            )
            for spec in DEPARTMENT_REVIEWS
        ]
        bank = partial(do_deliver_message, case.number, "bank_account_opened", payload={"account": "6222"})
        outcomes = race(*completions, bank)
        assert all(o.ok for o in outcomes), f"every branch must succeed: {outcomes}"

        # The join fired once: the licences were issued and one rating window is open.
        timers = WaitingTimer.objects.filter(case=case).values_list("task_spec", flat=True)
        assert list(timers) == ["rating_window_closed"]
        assert WorkItem.objects.filter(case=case, state="open").count() == 0
        case.refresh_from_db()
        assert case.status == Case.Status.RUNNING
        assert case.steps == 3 + 5  # start, intake, market review, then the five branches one after another
        events = case.events.all()
        completed = sorted(events.filter(kind=Event.Kind.TASK_COMPLETED).values_list("activity", flat=True))
        assert completed == sorted(["intake", "market_review", *DEPARTMENT_REVIEWS])
        assert list(events.filter(kind=Event.Kind.MESSAGE_RECEIVED).values_list("activity", flat=True)) == [
            "bank_account_opened"
        ]
        for spec, clerk in clerks.items():
            item = WorkItem.objects.get(pk=items[spec].pk)
            assert (item.state, item.completed_by_id, item.outcome) == (WorkItem.State.COMPLETED, clerk.pk, "approve")

        do_deliver_message(case.number, "service_rated", payload={"rating": 5})
        case.refresh_from_db()
        assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
        assert not WorkItem.objects.filter(case=case, state="open").exists()
        assert case.events.filter(kind=Event.Kind.CASE_ENDED).count() == 1


def test_two_sweepers_firing_the_same_due_timer_fire_it_once(reference):
    needs_postgres()
    for n in range(ROUNDS):
        case = case_at_the_fork(reference, n)
        for spec, name in DEPARTMENT_REVIEWS.items():
            do_complete_task(open_item(case, spec).pk, acting_user=user(name), outcome="approve")
        do_deliver_message(case.number, "bank_account_opened")
        timer = WaitingTimer.objects.get(case=case, task_spec="rating_window_closed")
        later = max(timer.due_at, timezone.now()) + dt.timedelta(seconds=1)

        fire = partial(do_fire_timer, timer.pk, now=later)
        outcomes = race(fire, fire)
        assert all(o.ok for o in outcomes), outcomes
        assert sorted(o.value for o in outcomes) == [False, True]

        timer.refresh_from_db()
        assert timer.fired_at is not None and timer.cancelled_at is None
        assert case.events.filter(kind=Event.Kind.TIMER_FIRED).count() == 1
        case.refresh_from_db()
        assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
        assert case.events.filter(kind=Event.Kind.CASE_ENDED).count() == 1


def case_in_its_rating_window(reference, n: int) -> tuple[Case, WaitingTimer]:
    case = case_at_the_fork(reference, n)
    for spec, name in DEPARTMENT_REVIEWS.items():
        do_complete_task(open_item(case, spec).pk, acting_user=user(name), outcome="approve")
    do_deliver_message(case.number, "bank_account_opened")
    return case, WaitingTimer.objects.get(case=case, task_spec="rating_window_closed")


def test_a_sweep_fires_without_waiting_for_the_disk_but_never_relaxes_a_callers_transaction(reference):
    """A firing lost with the database is fired again by the next sweep, so a sweep's own
    transaction commits without waiting for the disk; inside a caller's transaction (a clerk's
    action, say) the caller's durability is left alone."""
    needs_postgres()
    sent = []

    def watch(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    case, timer = case_in_its_rating_window(reference, 0)
    later = max(timer.due_at, timezone.now()) + dt.timedelta(seconds=1)
    with connection.execute_wrapper(watch):
        assert do_fire_timer(timer.pk, now=later)
    assert "SET LOCAL synchronous_commit TO off" in sent
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.events.filter(kind=Event.Kind.TIMER_FIRED).count() == 1

    case, timer = case_in_its_rating_window(reference, 1)
    with transaction.atomic():
        assert do_fire_timer(timer.pk, now=later)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED


def test_a_sweep_racing_the_late_completion_of_a_task_counts_one_breach(reference):
    """The light sweep does not lock cases: it may turn a task red while a clerk completes it late.
    Whichever comes first logs the breach; the other finds it logged. Never two, never none."""
    import time_machine

    from sla.sweeps import do_sweep_lights

    needs_postgres()
    recorded_by = set()
    for n in range(ROUNDS):
        with time_machine.travel(dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC), tick=False):
            case = case_at_the_fork(reference, n)
        item = open_item(case, "tax_review")
        late = item.due_at + dt.timedelta(hours=20)
        with time_machine.travel(late, tick=True):
            outcomes = race(
                partial(do_sweep_lights, now=late),
                partial(do_complete_task, item.pk, acting_user=user("clerk_tax"), outcome="approve"),
            )
        assert all(o.ok for o in outcomes), outcomes
        breaches = list(Event.objects.filter(kind=Event.Kind.TASK_OVERDUE, work_item=item.pk))
        assert len(breaches) == 1, f"round {n}: {[b.data for b in breaches]}"
        recorded_by.add(breaches[0].data["recorded_by"])
        item.refresh_from_db()
        assert item.state == WorkItem.State.COMPLETED and item.late_working_hours > 0
        # The other departments' reviews were open and late: the sweep logged each once.
        assert Event.objects.filter(case=case, kind=Event.Kind.TASK_OVERDUE).count() == 4
    assert recorded_by <= {"sweep", "step"}
