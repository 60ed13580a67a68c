"""The clock as a clerk counts it: limits in working days, stopped for correction, lights that
change when they should, breaches logged once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engine.actions import do_complete_task, do_start_case
from engine.models import Case, Event
from processes.actions import do_deploy_version
from processes.models import ServiceItem
from sla.sweeps import do_sweep_lights
from tests.conftest import CORRECTION_REQUEST, FIXTURES
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

BEIJING = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.fixture
def licence_review(db):
    version = do_deploy_version(
        (FIXTURES / "engine" / "review_with_correction.bpmn").read_bytes(), "review.bpmn"
    ).version
    item = ServiceItem.objects.create(
        code="licence",
        name="许可",
        process=version.definition,
        promised_limit_working_days=10,
        statutory_limit_working_days=20,
    )
    return version, item


def open_item(case, spec):
    return WorkItem.objects.get(case=case, task_spec=spec, state="open")


def test_a_five_day_review_paused_over_the_holidays_resumes_with_the_days_it_had_left(licence_review):
    # 2026: Mid-Autumn 25-27 Sep, National Day 1-7 Oct, Saturday 10 Oct is worked (调休).
    version, item = licence_review
    with time_machine.travel(at("2026-09-23 10:00"), tick=False):  # Wednesday
        case = do_start_case(version=version, service_item=item)
        review = open_item(case, "review")
        assert review.due_at == at("2026-10-08 17:30")  # 24, 28, 29, 30 Sep, 8 Oct
    with time_machine.travel(at("2026-09-24 15:00"), tick=False):  # Thursday: 1 working day used
        do_complete_task(review.pk, outcome="correction", data=CORRECTION_REQUEST)
    with time_machine.travel(at("2026-10-09 09:30"), tick=False):  # the corrected material arrives
        do_complete_task(open_item(case, "review_correction").pk, outcome="resubmitted")
        again = open_item(case, "review")
    # 4 days left, counted from the day after: Sat 10 Oct (worked), Mon 12, Tue 13, Wed 14.
    assert again.due_at == at("2026-10-14 17:30")
    assert again.statutory_due_at == at("2026-11-04 17:30")  # 19 days left of 20
    kinds = list(case.events.filter(activity="review").values_list("kind", flat=True))
    assert kinds.count("clock_paused") == 1 and kinds.count("clock_resumed") == 1


def test_the_case_clock_stops_while_the_applicant_corrects_and_every_pause_is_logged(licence_review):
    version, item = licence_review
    with time_machine.travel(at("2026-09-23 10:00"), tick=False):
        case = do_start_case(version=version, service_item=item)
    case.refresh_from_db()
    assert case.due_at == at("2026-10-14 17:30")  # 10 working days: 24, 28, 29, 30 Sep, 8, 9, 10, 12, 13, 14 Oct
    with time_machine.travel(at("2026-09-24 15:00"), tick=False):
        do_complete_task(open_item(case, "review").pk, outcome="correction", data=CORRECTION_REQUEST)
    case.refresh_from_db()
    assert case.light == "paused" and case.clock_used_working_days == 1
    with time_machine.travel(at("2026-10-09 09:30"), tick=False):
        do_complete_task(open_item(case, "review_correction").pk, outcome="resubmitted")
    case.refresh_from_db()
    assert case.due_at == at("2026-10-21 17:30")  # 9 days left from 9 Oct: 10, 12-16, 19-21
    case_events = list(case.events.filter(activity="").exclude(kind="case_started").values_list("kind", flat=True))
    assert case_events == ["clock_paused", "clock_resumed"]


def test_lights_turn_yellow_then_red_and_a_breach_is_logged_once(licence_review):
    version, item = licence_review
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):  # Monday
        case = do_start_case(version=version, service_item=item)
    review = open_item(case, "review")
    assert review.light == "green" and review.due_at == at("2026-11-09 17:30")
    assert at("2026-11-02 09:00") < review.yellow_at < review.due_at
    assert do_sweep_lights(now=review.yellow_at - dt.timedelta(minutes=1)).tasks_yellow == 0
    assert do_sweep_lights(now=review.yellow_at + dt.timedelta(minutes=1)).tasks_yellow == 1
    result = do_sweep_lights(now=at("2026-11-10 09:00"))
    assert (result.tasks_red, result.cases_red) == (1, 0)  # the step runs over, the case is on time
    review.refresh_from_db()
    case.refresh_from_db()
    assert review.light == "red" and case.light in ("green", "yellow")
    assert do_sweep_lights(now=at("2026-11-11 09:00")).tasks_red == 0  # a second sweep: nothing to do
    breaches = Event.objects.filter(case=case, kind="task_overdue")
    assert breaches.count() == 1 and breaches.get().data["due_at"].startswith("2026-11-09T09:30")


def test_a_case_past_its_promised_limit_turns_red_and_ends_red(licence_review):
    version, item = licence_review
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):
        case = do_start_case(version=version, service_item=item)
    assert do_sweep_lights(now=at("2026-11-17 09:00")).cases_red == 1
    with time_machine.travel(at("2026-11-17 10:00"), tick=False):
        do_complete_task(open_item(case, "review").pk, outcome="approve")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.light == "red"
    assert Event.objects.filter(case=case, kind="case_overdue").count() == 1


def test_a_special_step_stops_the_case_clock_too(db):
    source = (FIXTURES / "engine" / "review_with_correction.bpmn").read_text(encoding="utf-8")
    hearing = source.replace(
        '<camunda:property name="clock" value="paused" />', '<camunda:property name="special_step" value="true" />'
    )
    assert hearing != source
    version = do_deploy_version(hearing.encode(), "hearing.bpmn").version
    item = ServiceItem.objects.create(
        code="hearing", name="听证", process=version.definition, promised_limit_working_days=10
    )
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):  # Monday
        case = do_start_case(version=version, service_item=item)
    with time_machine.travel(at("2026-11-03 09:00"), tick=False):  # Tuesday: 1 day used, the hearing starts
        do_complete_task(open_item(case, "review").pk, outcome="correction", data=CORRECTION_REQUEST)
    case.refresh_from_db()
    assert case.light == "paused"
    with time_machine.travel(at("2026-11-16 09:00"), tick=False):  # two weeks of hearing, not counted
        do_complete_task(open_item(case, "review_correction").pk, outcome="resubmitted")
    case.refresh_from_db()
    assert case.due_at == at("2026-11-27 17:30")  # 9 days left from Mon 16 Nov: 17-20, 23-27
