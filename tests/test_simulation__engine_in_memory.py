"""The simulation runs the real BPMN through the engine in memory: the same steps the write path
takes, the same states whichever order parallel branches finish in, and office time that agrees
with the working-day calendar."""

import datetime as dt
import random

import pytest

from demo.driver import Driver
from engine.in_memory import COMPLETE, MESSAGE, TIMER, ProcessMachine
from engine.models import Event
from simulation.loop import BASE_CASE_DATA, Simulation
from simulation.office import DAY, OfficeClock
from simulation.params import params_from_dict
from workdays.calendar_store import get_calendar
from workdays.clock import Limit
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

PARAMS = {
    "arrivals_per_day": 12,
    "case": {"notify_commit": 0.3},
    "departments": {
        "front_desk": {"wait": {"lognormal": {"median": 0.3}}, "work": 0.5},
        "market": {"wait": {"exponential": {"mean": 2}}, "work": {"lognormal": {"median": 1.5, "spread": 0.4}}},
        "applicant": {"wait": {"uniform": {"low": 7, "high": 21}}, "work": 0.2},
    },
    "default": {
        "wait": {"exponential": {"mean": 1.5}},
        "work": {"lognormal": {"median": 1}},
        "outcomes": {
            "approve": 0.85,
            "correction": 0.1,
            "reject": 0.05,
            "accept": 1,
            "pass": 0.9,
            "fail": 0.1,
            "resubmitted": 1,
            "rectified": 1,
        },
    },
    "messages": {"bank_account_opened": {"delay": 2}, "service_rated": {"delay": 3, "probability": 0.8}},
}


def replay(machine, case):
    """Walk the machine through the steps the case's event log records; returns (edge, opened specs)."""
    edge = machine.start({**BASE_CASE_DATA, "notify_commit": case.notify_commit})
    opened = list(edge.opened)
    for event in Event.objects.filter(case=case).order_by("id"):
        if event.kind == Event.Kind.TASK_COMPLETED:
            action = (COMPLETE, event.activity, event.outcome)
        elif event.kind == Event.Kind.MESSAGE_RECEIVED:
            action = (MESSAGE, event.data["message"])
        elif event.kind == Event.Kind.TIMER_FIRED:
            action = (TIMER, event.activity)
        else:
            continue
        edge = machine.step(edge.node, action)
        opened += edge.opened
    return edge, opened


@pytest.mark.parametrize("which", ["serial", "parallel"])
def test_in_memory_engine_takes_the_same_steps_as_the_write_path(reference, which):
    version = reference[which]
    driver = Driver(version, service_item=reference["item"], seed=11)
    cases = [driver.drive(driver.start()) for _ in range(10)]
    assert {c.notify_commit for c in cases} == {True, False}, "the sample should cover both paths"
    machine = ProcessMachine(version)
    for case in cases:
        edge, opened = replay(machine, case)
        assert edge.node.ended and edge.node.end_activity == case.end_activity, case.number
        assert sorted(opened) == sorted(WorkItem.objects.filter(case=case).values_list("task_spec", flat=True)), (
            case.number
        )


def run(version, *, merge_states: bool, cases: int):
    simulation = Simulation(
        version,
        params_from_dict(PARAMS),
        cases=cases,
        calendar=get_calendar(),
        first_day=dt.date(2026, 9, 1),
        case_limits=(Limit(1), Limit(20)),
        seed=4,
        machine=ProcessMachine(version, merge_states=merge_states),
    )
    return simulation, simulation.run()


def test_merging_states_reached_in_another_order_changes_no_simulated_case(reference):
    merged, tally = run(reference["parallel"], merge_states=True, cases=250)
    apart, tally_apart = run(reference["parallel"], merge_states=False, cases=250)
    assert tally.cases == tally_apart.cases
    assert len(tally.cases) == 250 and not tally.failures
    assert {end for *_, end, _ended in tally.cases} >= {"end_issued", "end_rejected"}
    # The point of merging: far fewer states for the engine to compute.
    assert merged.machine.engine_steps < 0.7 * apart.machine.engine_steps


def test_office_time_agrees_with_the_working_day_calendar(db):
    calendar = get_calendar()
    clock = OfficeClock(calendar, dt.date(2026, 9, 28))  # a Monday before National Day
    rng = random.Random(3)
    for _ in range(300):
        start = rng.uniform(0, 40 * DAY)
        hours = rng.uniform(0, 30)
        expected = calendar.add_working_hours(clock.to_datetime(start), hours)
        assert abs(clock.to_datetime(start + hours) - expected) < dt.timedelta(milliseconds=1)
        assert clock.from_datetime(clock.to_datetime(start)) == pytest.approx(start, abs=1e-6)
    # Outside office hours nothing passes: a holiday morning is the next working day's opening.
    holiday = dt.datetime(2026, 10, 2, 11, tzinfo=calendar.zone)
    reopening = holiday.date()
    while not calendar.is_working_day(reopening):
        reopening += dt.timedelta(days=1)
    assert clock.from_datetime(holiday) == clock.from_datetime(
        dt.datetime.combine(reopening, dt.time(9), tzinfo=calendar.zone)
    )


def test_simulated_deadlines_follow_the_sla_clock(reference):
    from workdays.clock import deadline

    simulation, _ = run(reference["parallel"], merge_states=True, cases=1)
    clock, calendar = simulation.clock, simulation.calendar
    rng = random.Random(8)
    for _ in range(200):
        moment = rng.uniform(0, 60 * DAY)
        limit = rng.choice(
            [
                Limit(working_days=0),
                Limit(working_days=1),
                Limit(working_days=5),
                Limit(working_days=20),
                Limit(working_hours=4),
            ]
        )
        used = rng.choice([0, 0, 1, 3])
        expected = deadline(clock.to_datetime(moment), limit, calendar, used_days=used).due_at
        assert clock.to_datetime(simulation._due(limit, moment, used)) == expected
