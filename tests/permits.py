"""Cases of the migration tests' small process (tests/fixtures/migration/permit_v1.bpmn, permit_v2.bpmn),
put at each place version 1 can wait at, and worked to the end.

permit_v1 → permit_v2: check_old removed, review renamed assess (same name), receive's limit and
the cooling-off timer changed, a third parallel branch (branch_c) and a new step notify added.
"""

from __future__ import annotations

import datetime as dt

from engine.actions import do_complete_task, do_deliver_message, do_fire_timer, do_start_case
from engine.models import Case, WaitingTimer
from processes.actions import do_deploy_version
from tests.conftest import FIXTURES
from worklists.models import WorkItem

MIGRATION = FIXTURES / "migration"
# Each place a case of version 1 can wait at, and the step that gets it there from the one before.
STEPS = {
    "receive": None,
    "check_old": ("task", "receive"),
    "review": ("task", "check_old"),  # with its boundary timer waiting beside it
    "cooling_off": ("task", "review"),  # a timer
    "payment": ("timer", "cooling_off"),  # a message
    "branches": ("message", "fee_paid"),  # both parallel branches open
    "join_waiting": ("task", "branch_a"),  # one branch done, the join waiting
    "archive": ("task", "branch_b"),  # after the join
}
POSITIONS = list(STEPS)
# Version 2 removed check_old, and its join also waits for branch_c, which cases already past
# the fork never started; everything else can move.
MOVABLE = {"receive", "review", "cooling_off", "payment", "archive"}


def deploy_versions():
    v1 = do_deploy_version((MIGRATION / "permit_v1.bpmn").read_bytes(), "permit_v1.bpmn").version
    v2 = do_deploy_version((MIGRATION / "permit_v2.bpmn").read_bytes(), "permit_v2.bpmn").version
    return v1, v2


def complete(case, spec):
    do_complete_task(WorkItem.objects.get(case=case, task_spec=spec, state="open").pk)


def fire(case, spec=None):
    timers = WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None)
    timer = timers.get(task_spec=spec) if spec else timers.order_by("due_at").first()
    assert do_fire_timer(timer.pk, now=timer.due_at + dt.timedelta(seconds=1))


def case_at(version, position):
    case = do_start_case(version=version)
    for name in POSITIONS[1 : POSITIONS.index(position) + 1]:
        kind, what = STEPS[name]
        if kind == "task":
            complete(case, what)
        elif kind == "timer":
            fire(case, what)
        else:
            do_deliver_message(case.number, what)
    case.refresh_from_db()
    return case


def finish(case) -> Case:
    """Work the case to its end as the clerks, the clock and the bank would."""
    for _ in range(40):
        case.refresh_from_db()
        if case.status != Case.Status.RUNNING:
            return case
        item = WorkItem.objects.filter(case=case, state="open").order_by("id").first()
        if item:
            do_complete_task(item.pk)
        elif WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None).exists():
            fire(case)
        else:
            do_deliver_message(case.number, "fee_paid")
    raise AssertionError(f"case {case.number} did not end")


def deadlines(case) -> dict:
    """Every deadline a case has: its own, its open work items' (by task id), its pending timers'."""
    case.refresh_from_db()
    items = WorkItem.objects.filter(case=case, state="open")
    timers = WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None)
    return {
        "case": (case.due_at, case.statutory_due_at),
        "items": {i.task_id: (i.due_at, i.statutory_due_at, i.yellow_at, i.opened_at) for i in items},
        "timers": {t.task_id: t.due_at for t in timers},
    }
