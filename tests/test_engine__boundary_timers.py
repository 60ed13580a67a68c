"""BPMN boundary timers (deemed approval, 逾期视为同意) run through the same durable timer rows."""

import datetime as dt

import pytest

from engine.actions import do_complete_task, do_fire_due_timers, do_start_case
from engine.models import Case, Event, WaitingTimer
from processes.actions import do_deploy_version
from tests.conftest import FIXTURES
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates


@pytest.fixture
def fire_safety(db):
    return do_deploy_version((FIXTURES / "engine" / "deemed_approval.bpmn").read_bytes(), "deemed.bpmn").version


def test_when_the_department_stays_silent_the_boundary_timer_deems_it_approved(fire_safety):
    case = do_start_case(version=fire_safety)
    item = WorkItem.objects.get(case=case, state="open")
    timer = WaitingTimer.objects.get(case=case)
    assert (timer.task_spec, timer.name) == ("deemed", "逾期视为同意 Deemed approval")
    assert timer.due_at > item.opened_at + dt.timedelta(days=4)
    assert do_fire_due_timers(now=timer.due_at + dt.timedelta(seconds=1)) == 1
    case.refresh_from_db()
    item.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert item.state == "cancelled"  # the clerk's task is taken away, and the log says so
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds.index("timer_fired") < kinds.index("task_cancelled") < kinds.index("case_ended")


def test_when_the_department_answers_in_time_the_boundary_timer_is_cancelled(fire_safety):
    case = do_start_case(version=fire_safety)
    do_complete_task(WorkItem.objects.get(case=case, state="open").pk, outcome="approve")
    case.refresh_from_db()
    timer = WaitingTimer.objects.get(case=case)
    assert case.status == Case.Status.COMPLETED
    assert timer.cancelled_at is not None and timer.fired_at is None
    assert do_fire_due_timers(now=timer.due_at + dt.timedelta(seconds=1)) == 0
    assert not Event.objects.filter(case=case, kind="timer_fired").exists()
