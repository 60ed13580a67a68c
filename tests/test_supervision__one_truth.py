"""One truth for supervision: a breach is a fact of the step, and every view counts the same.

Cases are driven in simulated time with no light sweep at all, with departments slow enough that
many tasks and cases run late, and simulated time ends at a pinned Friday afternoon with cases still
open. The dashboard's counts and trend, the red list, its CSV, the report and the case list must
then give the numbers counted here straight from the rows' due and completion times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine

from demo.driver import Driver, Rates, timing_from
from demo.service_times import ServiceTimes
from engine.actions import do_claim_task, do_complete_task, do_start_case
from engine.models import Case, Event
from simulation.params import params_from_dict
from sla.sweeps import do_sweep_lights
from workdays.calendar_store import get_calendar
from worklists.models import WorkItem

from .as_of import LOCAL
from .test_dashboard__supervisor import Numbers

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=LOCAL)  # a Friday afternoon; the run began on the Monday
START = dt.datetime(2026, 11, 16, 9, 0, tzinfo=LOCAL)
# Departments that take their time: a wait of about a working day before a clerk looks, so that
# about half of the one-day limits are missed, and some cases are still open at NOW.
SLOW = ServiceTimes(
    params_from_dict(
        {
            "arrivals_per_day": 3.5,
            "departments": {
                **{
                    code: {
                        "wait": {"lognormal": {"median": 6.0, "spread": 0.7}},
                        "work": {"lognormal": {"median": 1.0}},
                    }
                    for code in ("market", "police", "tax", "hrss", "housing_fund")
                },
                "front_desk": {"wait": 0.25, "work": 0.5},
                "applicant": {"wait": {"lognormal": {"median": 14.0}}, "work": 0.5},
            },
            "messages": {"bank_account_opened": {"delay": 2.0}, "service_rated": {"delay": 3.0, "probability": 0.85}},
        },
        "slow departments",
    )
)
# No corrections: the case clock never stops, so a case's due moment is fixed and a count from
# its due and conclusion times is independent of the rule under test. (The stopped clock has its
# own test below.)
NO_CORRECTIONS = Rates(correction=0.0)


@pytest.fixture
def driven(reference):
    """Both versions, twelve applications each, in simulated time up to NOW; no sweep ever runs."""
    for version in (reference["serial"], reference["parallel"]):
        driver = Driver(
            version,
            service_item=reference["item"],
            seed=version.number,
            rates=NO_CORRECTIONS,
            timing=timing_from(START, SLOW, until=NOW),
        )
        for _ in range(12):
            driver.drive(driver.start())
    assert not Event.objects.filter(data__recorded_by="sweep").exists()
    return reference


def late(due_at, closed_at) -> bool:
    return due_at is not None and (closed_at or NOW) > due_at


def independent_counts() -> dict:
    """The late tasks and cases, from due and completion times alone."""
    items = list(WorkItem.objects.all())
    open_late = [i for i in items if i.state == "open" and late(i.due_at, None)]
    applicant = {"market_correction", "police_correction", "tax_correction", "hrss_correction", "fund_correction"}
    completed_late = [
        i for i in items if i.state == "completed" and i.task_spec not in applicant and late(i.due_at, i.completed_at)
    ]
    cases = list(Case.objects.all())
    running_late = [c for c in cases if c.concluded_at is None and c.status == "running" and late(c.due_at, None)]
    concluded_late = [c for c in cases if c.concluded_at is not None and late(c.due_at, c.concluded_at)]
    return {
        "tasks": sum(late(i.due_at, i.completed_at) for i in items),
        "open_tasks": {i.pk for i in open_late},
        "completed_department_tasks": {v: sum(1 for i in completed_late if i.version_id == v.pk) for v in versions()},
        "running_cases": {c.number for c in running_late},
        "concluded_cases": {v: sum(1 for c in concluded_late if c.version_id == v.pk) for v in versions()},
        "cases": {c.number for c in running_late + concluded_late},
    }


def versions():
    from processes.models import ProcessVersion

    return list(ProcessVersion.objects.order_by("number"))


def case_list_rows(client) -> list[tuple[str, str, str]]:
    """(case number, light, on time or late) of every row of every page of the case list."""
    rows, page = [], 1
    while True:
        html = client.get("/cases/", {"page": page}).content.decode()
        for number, cell, light in re.findall(
            r'data-row><span class="case">([^<]+)</span>.*?data-case-status="[^"]+">(.*?)</td>\s*<td><span class="bl-light" data-light="(\w+)"',
            html,
            flags=re.S,
        ):
            verdict = re.search(r'data-case-on-time="(\w+)"', cell)
            rows.append((number, light, verdict.group(1) if verdict else ""))
        if f"page={page + 1}" not in html:
            return rows
        page += 1


def test_with_no_sweep_every_view_counts_the_same_late_tasks_and_cases(client, driven, supervisor):
    with time_machine.travel(NOW, tick=False):
        truth = independent_counts()
        # The run must hold what the test is about: late tasks open and closed, late cases of both kinds.
        assert truth["open_tasks"] and sum(truth["completed_department_tasks"].values()) >= 5
        assert truth["running_cases"] and sum(truth["concluded_cases"].values()) >= 3
        assert Case.objects.filter(status="running").count() > len(truth["running_cases"])  # some are not late
        client.force_login(supervisor)

        dashboard = Numbers(client.get("/sla/").content.decode())
        assert dashboard.get("breaches:tasks") == truth["tasks"]
        assert dashboard.get("breaches:cases") == len(truth["cases"])
        assert dashboard.get("tasks:red") == len(truth["open_tasks"])
        assert dashboard.get("cases:red") == len(truth["running_cases"])
        assert dashboard.get("red:total") == len(truth["open_tasks"]) + len(truth["running_cases"])

        body = b"".join(client.get("/sla/red-list.csv").streaming_content).decode("utf-8-sig")
        listed = list(csv.reader(io.StringIO(body)))[1:]
        tasks = [row for row in listed if row[0] == "任务"]
        cases = {row[1] for row in listed if row[0] == "办件"}
        assert len(tasks) == len(truth["open_tasks"])
        assert cases == truth["running_cases"]

        report = client.get("/reports/business_registration/")
        for version, figures in report.context["rows"]:
            assert figures["task_lights"]["red"] == truth["completed_department_tasks"][version], version
            assert figures["case_lights"]["red"] == truth["concluded_cases"][version], version

        rows = case_list_rows(client)
        assert len(rows) == Case.objects.count()
        assert {number for number, light, _ in rows if light == "red"} == truth["cases"]
        concluded_late = {number for number, _, verdict in rows if verdict == "no"}
        assert len(concluded_late) == sum(truth["concluded_cases"].values())


def test_the_step_records_how_late_a_task_closed_and_logs_the_breach_once(driven):
    """Every task closed late carries its office hours past the due moment and one breach event,
    written by the step that closed it (no sweep ran)."""
    calendar = get_calendar()
    closed_late = WorkItem.objects.exclude(state="open").filter(late_working_hours__isnull=False)
    assert closed_late.exists()
    for item in closed_late:
        assert item.completed_at > item.due_at
        assert item.late_working_hours == pytest.approx(
            max(calendar.working_hours_between(item.due_at, item.completed_at), 0), abs=0.01
        )
        breaches = Event.objects.filter(kind="task_overdue", work_item=item.pk)
        assert [e.data["recorded_by"] for e in breaches] == ["step"]
    on_time = WorkItem.objects.exclude(state="open").filter(late_working_hours__isnull=True, due_at__isnull=False)
    assert on_time.exists() and all(item.completed_at <= item.due_at for item in on_time)
    assert not Event.objects.filter(kind="task_overdue", work_item__in=[i.pk for i in on_time]).exists()


def test_a_concluded_case_says_how_it_ended_and_whether_on_time(client, driven, supervisor):
    concluded = Case.objects.exclude(concluded_at=None)
    assert concluded.filter(result="granted").exists()
    for case in concluded:
        assert case.result in ("granted", "refused")
        assert case.result == ("refused" if case.end_activity == "end_rejected" else "granted")
        assert (case.breached_at is not None) == (case.concluded_at > case.due_at)
    client.force_login(supervisor)
    rejected = concluded.filter(result="refused").first() or concluded.first()
    html = client.get(f"/cases/{rejected.number}/").content.decode()
    assert f'data-case-result="{rejected.result}"' in html
    assert ('data-case-on-time="no"' in html) == (rejected.breached_at is not None)
    assert "已办结" not in re.search(r"<h1>.*?</h1>", html, flags=re.S).group(0)


# A breach counted once, whoever saw it --------------------------------------------------------


def open_review(reference, frontdesk, clerk_market) -> WorkItem:
    case = do_start_case(service_item=reference["item"], acting_user=frontdesk)
    intake = WorkItem.objects.get(case=case, task_spec="intake")
    do_complete_task(intake.pk, acting_user=frontdesk, outcome="accept")
    review = WorkItem.objects.get(case=case, task_spec="market_review")
    do_claim_task(review.pk, acting_user=clerk_market)
    return review


def test_a_sweep_that_saw_the_task_late_and_the_step_that_closed_it_count_one_breach(
    client, reference, frontdesk, clerk_market, supervisor
):
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=LOCAL), tick=False):
        review = open_review(reference, frontdesk, clerk_market)
    late_at = review.due_at + dt.timedelta(hours=20)
    assert do_sweep_lights(now=late_at).tasks_red == 1  # the sweep sees it open and late
    with time_machine.travel(late_at + dt.timedelta(hours=1), tick=False):
        do_complete_task(review.pk, acting_user=clerk_market, outcome="approve")
        client.force_login(supervisor)
        counts = Numbers(client.get("/sla/").content.decode())
    breaches = Event.objects.filter(kind="task_overdue", work_item=review.pk)
    assert [e.data["recorded_by"] for e in breaches] == ["sweep"]
    review.refresh_from_db()
    assert review.late_working_hours > 0
    assert counts.get("breaches:tasks") == 1
    do_sweep_lights(now=late_at + dt.timedelta(days=3))
    assert Event.objects.filter(kind="task_overdue", work_item=review.pk).count() == 1


def test_a_task_completed_late_before_any_sweep_is_a_breach_the_sweep_does_not_count_again(
    reference, frontdesk, clerk_market
):
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=LOCAL), tick=False):
        review = open_review(reference, frontdesk, clerk_market)
    with time_machine.travel(review.due_at + dt.timedelta(days=1), tick=False):
        do_complete_task(review.pk, acting_user=clerk_market, outcome="approve")
    do_sweep_lights(now=review.due_at + dt.timedelta(days=2))  # turns the next departments' tasks red, not this one
    breaches = Event.objects.filter(kind="task_overdue", work_item=review.pk)
    assert [e.data["recorded_by"] for e in breaches] == ["step"]
    assert breaches[0].data["late_working_hours"] == WorkItem.objects.get(pk=review.pk).late_working_hours == 7.0


def test_completed_at_the_stroke_of_the_deadline_is_on_time(reference, frontdesk, clerk_market):
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=LOCAL), tick=False):
        review = open_review(reference, frontdesk, clerk_market)
    with time_machine.travel(review.due_at, tick=False):
        do_complete_task(review.pk, acting_user=clerk_market, outcome="approve")
    review.refresh_from_db()
    assert review.late_working_hours is None and review.light_now in ("green", "yellow")
    assert not Event.objects.filter(kind="task_overdue", work_item=review.pk).exists()


def test_a_case_late_before_its_clock_stopped_stays_late_with_one_breach(reference, frontdesk, clerk_market):
    """The case runs past its limit, then a correction stops its clock; when the material comes the
    clock starts again with no time left. The case is late once, and concluded late."""
    item = reference["item"]
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=LOCAL), tick=False):
        review = open_review(reference, frontdesk, clerk_market)
        case = review.case
        case.refresh_from_db()
    assert item.promised_limit_working_days == 1
    past = case.due_at + dt.timedelta(days=1)  # Wednesday: a day past the one-day limit
    with time_machine.travel(past, tick=False):
        do_complete_task(
            review.pk,
            acting_user=clerk_market,
            outcome="correction",
            data={"missing_materials": ["章程 articles of association"], "notice": "请补齐章程"},
        )
    case.refresh_from_db()
    assert case.breached_at is not None and case.clock_running_since is None
    assert case.late_working_hours > 0
    breaches = Event.objects.filter(case=case, kind="case_overdue")
    assert [e.data["recorded_by"] for e in breaches] == ["step"]
    correction = WorkItem.objects.get(case=case, state="open")
    with time_machine.travel(past + dt.timedelta(days=1), tick=False):
        do_complete_task(correction.pk, acting_user=frontdesk, outcome="resubmitted")
    do_sweep_lights(now=past + dt.timedelta(days=2))
    assert Event.objects.filter(case=case, kind="case_overdue").count() == 1
    case.refresh_from_db()
    assert case.late and case.light_now == "red"
