"""The supervisor dashboard (电子监察) at /sla/: its numbers are the database's, the chart draws in a
real browser, drill-down and access follow the one gate, the page costs a fixed number of queries,
the CSV opens in Excel, and an unannounced calendar year is flagged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demo.driver import Driver, Rates
from demo.seed import ensure_demo_people
from engine.actions import do_claim_task, do_complete_task
from engine.models import Case, Event
from processes.names import in_language
from sla.dashboard import LIGHTS
from sla.sweeps import do_sweep_lights
from tests.browser import Browser, require_browser
from tests.conftest import decision
from workdays.calendar_store import get_calendar
from workdays.clock import Limit, deadline
from worklists.models import Department, WorkItem
from worklists.people import clerk_for

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

BEIJING = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
PASSWORD = "dashboard-test-password"
PARALLEL_REVIEWS = ("police_review", "tax_review", "hrss_review", "fund_review")


# A realistic situation, built with the real actions ------------------------------------------------


@dataclass
class Situation:
    now: dt.datetime
    cases: dict[int | str, Case] = field(default_factory=dict)  # by PLAN index, and "yellow"


class Office:
    """The departments' clerks working cases through the write path (do_start_case, do_claim_task,
    do_complete_task), each action at its own moment."""

    def __init__(self, reference):
        rates = Rates(correction=0, reject=0, notify_commit=0, rating=1.0)
        self.driver = Driver(reference["parallel"], service_item=reference["item"], seed=11, rates=rates)

    def start(self, stage: str) -> Case:
        case = self.driver.start()
        if stage == "intake":
            return case
        self.complete(case, "intake")
        if stage == "market":
            return case
        self.complete(case, "market_review")
        if stage == "correction":
            self.complete(case, "police_review", outcome="correction")
        elif stage == "half":
            self.complete(case, "police_review", "tax_review")
        return case

    def open_item(self, case: Case, spec: str) -> WorkItem | None:
        return WorkItem.objects.filter(case=case, task_spec=spec, state=WorkItem.State.OPEN).first()

    def complete(self, case: Case, *specs: str, outcome: str | None = None) -> None:
        for spec in specs:
            item = self.open_item(case, spec)
            if item is None:
                continue
            clerk = item.assignee or clerk_for(item.department_id)
            if item.assignee is None:
                do_claim_task(item.pk, acting_user=clerk)
            offered = self.driver.version.user_task(spec).get("outcomes") or []
            chosen = outcome or next(o for o in offered if o in ("accept", "approve", "pass"))
            do_complete_task(
                item.pk, acting_user=clerk, outcome=chosen, data=decision(chosen, self.driver.version.user_task(spec))
            )

    def claim(self, case: Case, spec: str) -> None:
        item = self.open_item(case, spec)
        if item is not None and item.assignee is None:
            do_claim_task(item.pk, acting_user=clerk_for(item.department_id))


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


# (days before now, local hour, what happens). Stages: "intake" waits at the front desk, "market"
# at market regulation, "parallel" at the four departments, "half" after police and tax finished,
# "correction" with police waiting for the applicant's material, "done" worked to the end.
PLAN = [
    (27, 10, "done"),
    (26, 10, "half"),
    (24, 15, "parallel"),
    (21, 10, "correction"),
    (19, 11, "half"),
    (16, 10, "market"),
    (13, 14, "parallel"),
    (12, 10, "intake"),
    (9, 10, "half"),
    (7, 16, "parallel"),
    (5, 10, "done"),
    (3, 11, "market"),
    (2, 10, "parallel"),
    (1, 15, "half"),
    (0, None, "parallel"),
]
# Later work on the cases above: (days before now, hour, index into PLAN, tasks completed or claimed).
LATER = [
    (20, 10, 1, ("hrss_review",)),
    (15, 11, 2, ("police_review", "tax_review")),
    (11, 9, 4, ("fund_review",)),
    (6, 14, 6, ("police_review",)),
    (4, 10, 8, ("hrss_review",)),
    (1, 10, 9, ("tax_review",)),
]
CLAIMED = [(2, "hrss_review"), (6, "fund_review"), (9, "police_review"), (12, "tax_review")]


def opened_yellow_at(now: dt.datetime, limit_working_days: int = 5) -> dt.datetime:
    """A moment at which a task of this limit opens so that it is yellow (not yet red) at ``now``:
    the police correction (补正材料, 5 working days) of one case, whatever day the test runs on."""
    calendar, at = get_calendar(), now - dt.timedelta(hours=1)
    for _ in range(2 * 24 * 40):
        due = deadline(at, Limit(working_days=limit_working_days), calendar)
        if due.yellow_at <= now - dt.timedelta(minutes=5) and due.due_at >= now + dt.timedelta(hours=2):
            return at
        at -= dt.timedelta(minutes=30)
    raise AssertionError(f"no moment in 40 days opens a {limit_working_days}-day task that is yellow at {now}")


def build_situation(reference, now: dt.datetime | None = None) -> Situation:
    """Four weeks of work: cases taken in on different days, worked on by the departments, the
    light sweep running twice a working day as beat would, so that breaches land on their days."""
    now = now or timezone.now()
    today = timezone.localtime(now, BEIJING).date()
    office, situation = Office(reference), Situation(now=now)

    def moment(days: int, hour: int | None) -> dt.datetime:
        return now - dt.timedelta(hours=1) if hour is None else min(local(today - dt.timedelta(days=days), hour), now)

    def start(key, stage):
        situation.cases[key] = office.driver.drive(office.start("intake")) if stage == "done" else office.start(stage)

    steps: list[tuple[dt.datetime, int, object]] = [(opened_yellow_at(now), 1, lambda: start("yellow", "correction"))]
    for index, (days, hour, stage) in enumerate(PLAN):
        steps.append((moment(days, hour), 1, lambda index=index, stage=stage: start(index, stage)))
    for days, hour, index, specs in LATER:
        steps.append(
            (moment(days, hour), 2, lambda index=index, specs=specs: office.complete(situation.cases[index], *specs))
        )
    for index, spec in CLAIMED:
        steps.append(
            (
                moment(PLAN[index][0], PLAN[index][1]) + dt.timedelta(minutes=5),
                2,
                lambda index=index, spec=spec: office.claim(situation.cases[index], spec),
            )
        )
    for days in range(28, -1, -1):
        for hour, minute in ((9, 0), (17, 31)):
            at = local(today - dt.timedelta(days=days), hour, minute)
            if at <= now:
                steps.append((at, 0, lambda at=at: do_sweep_lights(now=at)))
    for at, _, action in sorted(steps, key=lambda step: (step[0], step[1])):
        with time_machine.travel(at, tick=False):
            action()
    do_sweep_lights(now=now)
    return situation


@pytest.fixture
def situation(reference):
    return build_situation(reference)


# Reading the page -------------------------------------------------------------------------------


class Numbers(HTMLParser):
    """The numbers the page shows, by their data-count keys (the elements hold the number only)."""

    def __init__(self, html: str):
        super().__init__()
        self.key, self.values = None, {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        key = dict(attrs).get("data-count")
        if key:
            self.key, self.values[key] = key, ""

    def handle_data(self, data):
        if self.key:
            self.values[self.key] += data

    def handle_endtag(self, tag):
        self.key = None

    def get(self, key: str) -> int:
        return int(self.values[key].strip())


def by_light(rows) -> dict[str, int]:
    counts = Counter(rows.values_list("light", flat=True))
    return {light: counts[light] for light in LIGHTS}


def page_numbers(client, query: str = "") -> Numbers:
    response = client.get("/sla/" + query)
    assert response.status_code == 200
    return Numbers(response.content.decode())


def read_csv(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# (a) the numbers are the database's ---------------------------------------------------------------


def test_every_number_on_the_page_is_what_the_database_holds(client, situation, supervisor):
    open_items = WorkItem.objects.filter(state="open")
    running = Case.objects.filter(status="running")
    assert {"red", "yellow", "green"} <= set(open_items.values_list("light", flat=True)), (
        "the situation needs every light"
    )
    client.force_login(supervisor)
    with time_machine.travel(situation.now, tick=False):
        numbers = page_numbers(client)
    for light, n in by_light(open_items).items():
        assert numbers.get(f"tasks:{light}") == n, light
    for light, n in by_light(running).items():
        assert numbers.get(f"cases:{light}") == n, light
    for department in Department.objects.all():
        for light, n in by_light(open_items.filter(department=department)).items():
            assert numbers.get(f"department:{department.code}:{light}") == n, (department.code, light)
    for light, n in by_light(open_items.filter(service_item__code="business_registration")).items():
        assert numbers.get(f"service_item:business_registration:{light}") == n
    red = open_items.filter(light="red").count() + running.filter(light="red").count()
    assert numbers.get("red:total") == red
    breaches = Event.objects.filter(at__gte=chart_start(situation.now))
    assert numbers.get("breaches:tasks") == breaches.filter(kind="task_overdue").count() > 0
    assert numbers.get("breaches:cases") == breaches.filter(kind="case_overdue").count() > 0


def chart_start(now: dt.datetime) -> dt.datetime:
    """Local midnight 29 days before ``now``: the chart covers 30 days, today included."""
    return timezone.localtime(now - dt.timedelta(days=29)).replace(hour=0, minute=0, second=0, microsecond=0)


def held_when_late(event: Event, department: str) -> bool:
    """The department had a task of the case open when the case went over its limit."""
    return WorkItem.objects.filter(
        Q(completed_at__isnull=True) | Q(completed_at__gt=event.at),
        case_id=event.case_id,
        department=department,
        opened_at__lte=event.at,
    ).exists()


def test_drilling_down_to_a_department_and_a_service_item_filters_the_lists(client, situation, supervisor):
    client.force_login(supervisor)
    with time_machine.travel(situation.now, tick=False):
        response = client.get("/sla/?department=police&service_item=business_registration")
    numbers = Numbers(response.content.decode())
    police = WorkItem.objects.filter(state="open", department="police")
    for light, n in by_light(police).items():
        assert numbers.get(f"tasks:{light}") == n
    held = Case.objects.filter(status="running", pk__in=police.values("case_id"))
    for light, n in by_light(held).items():
        assert numbers.get(f"cases:{light}") == n
    rows = response.context["red_rows"]
    assert rows and {row.dept_code for row in rows if row.kind == "task"} == {"police"}
    assert numbers.get("red:total") == police.filter(light="red").count() + held.filter(light="red").count()
    breaches = Event.objects.filter(at__gte=chart_start(situation.now))
    assert numbers.get("breaches:tasks") == breaches.filter(kind="task_overdue", department="police").count()
    late_cases = [e for e in breaches.filter(kind="case_overdue") if held_when_late(e, "police")]
    assert numbers.get("breaches:cases") == len(late_cases) < breaches.filter(kind="case_overdue").count()
    body = response.content.decode()
    assert f'href="/cases/{rows[0].case_number}/"' in body  # a case goes to its page
    assert 'class="selected"' in body and 'data-department="police"' in body


# (c) access -----------------------------------------------------------------------------------------


def test_only_supervisors_and_heads_watch_deadlines_and_a_head_sees_only_their_department(
    client, situation, supervisor, clerk_tax, head_market
):
    assert client.get("/sla/").url == "/login/?next=/sla/"
    assert client.get("/sla/red-list.csv").status_code == 302
    client.force_login(clerk_tax)
    assert client.get("/sla/").status_code == 403
    assert client.get("/sla/counts.csv").status_code == 403
    client.force_login(supervisor)
    assert client.get("/sla/").status_code == 200
    assert client.get("/sla/?department=nowhere").status_code == 404

    client.force_login(head_market)
    response = client.get("/sla/")
    assert response.status_code == 200
    assert [row.code for row in response.context["department_rows"]] == ["market"]
    numbers = Numbers(response.content.decode())
    for light, n in by_light(WorkItem.objects.filter(state="open", department="market")).items():
        assert numbers.get(f"tasks:{light}") == n
    assert {row.dept_code for row in response.context["red_rows"]} <= {"market", ""}
    refused = client.get("/sla/?department=police")
    assert refused.status_code == 403 and "只能查看本部门。" in refused.content.decode()
    _, rows = read_csv(client.get("/sla/red-list.csv"))
    assert {row[3] for row in rows[1:]} <= {"market", ""}
    client.cookies["django_language"] = "en"
    refused = client.get("/sla/?department=police")
    assert refused.status_code == 403 and "You may see your own department only." in refused.content.decode()


# (d) a fixed number of queries ---------------------------------------------------------------------


def start_red_cases(reference, how_many: int, started_at: dt.datetime, now: dt.datetime) -> None:
    office = Office(reference)
    with time_machine.travel(started_at, tick=False):
        for _ in range(how_many):
            office.start("parallel")
    do_sweep_lights(now=now)


def count_queries(client, path: str) -> int:
    client.get(path)  # the first request warms the calendar cache and the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_dashboard_runs_the_same_number_of_queries_for_ten_times_the_rows(client, reference, supervisor):
    now = timezone.now()
    started = now - dt.timedelta(days=12)
    client.force_login(supervisor)
    start_red_cases(reference, 8, started, now)  # 32 open department tasks, all red
    assert WorkItem.objects.filter(state="open").count() == 32
    paths = ("/sla/", "/sla/?department=tax", "/sla/?service_item=business_registration")
    few = {path: count_queries(client, path) for path in paths}
    start_red_cases(reference, 67, started, now)  # 300 open department tasks
    assert WorkItem.objects.filter(state="open").count() == 300
    many = {path: count_queries(client, path) for path in paths}
    assert many == few
    # session, user, role, then the page's own queries (the breach trend reads tasks and cases: two)
    assert max(few.values()) <= 21, few
    # A deep page asks red_list for more rows, not for more queries.
    assert count_queries(client, "/sla/?page=12") == few["/sla/"]


# (e) CSV -------------------------------------------------------------------------------------------


def test_the_red_list_csv_has_a_bom_and_the_red_rows_of_the_filter(client, situation, supervisor):
    client.force_login(supervisor)
    with time_machine.travel(situation.now, tick=False):
        response = client.get("/sla/red-list.csv")
        body, rows = read_csv(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows[0][:3] == ["类型", "办件编号", "任务"]  # in the language of whoever downloads it (简体中文)
    red_tasks = WorkItem.objects.filter(state="open", light="red").select_related("case")
    red_cases = Case.objects.filter(status="running", light="red")
    expected = {("任务", i.case.number, in_language(i.name, language="zh-hans"), i.department_id) for i in red_tasks}
    expected |= {("办件", c.number, "", "") for c in red_cases}
    assert {tuple(row[:4]) for row in rows[1:]} == expected
    assert len(rows) - 1 == len(expected)
    calendar = get_calendar()
    first = red_tasks.order_by("due_at", "pk").first()
    row = next(r for r in rows[1:] if r[1] == first.case.number and r[2] == in_language(first.name, language="zh-hans"))
    assert float(row[7]) == pytest.approx(calendar.working_hours_between(first.due_at, situation.now), abs=0.01)
    if first.assignee:
        assert row[5] == first.assignee.username
    else:
        assert row[5].startswith("部门待签收")
    due = [r[6] for r in rows[1:]]
    assert due == sorted(due), "most overdue first"

    _, police = read_csv(client.get("/sla/red-list.csv?department=police"))
    assert {r[3] for r in police[1:] if r[0] == "任务"} == {"police"}


def test_the_csv_files_are_in_the_language_of_whoever_downloads_them(client, situation, supervisor):
    """The same columns in the same order, the same codes and numbers; the words in the reader's
    language: English here, no Chinese but the names of people (data)."""
    client.force_login(supervisor)
    with time_machine.travel(situation.now, tick=False):
        client.cookies["django_language"] = "zh-hans"
        _, chinese = read_csv(client.get("/sla/red-list.csv"))
        client.cookies["django_language"] = "en"
        _, rows = read_csv(client.get("/sla/red-list.csv"))
    assert rows[0] == [
        "Kind",
        "Case",
        "Task",
        "Department code",
        "Department",
        "Responsible",
        "Due",
        "Overdue working hours",
        "Overdue (working time)",
        "Escalation level",
        "Urged",
    ]
    same = [1, 3, 6, 7, 9, 10]  # case number, department code, due, overdue hours, escalation level, urges
    assert [[row[i] for i in same] for row in rows[1:]] == [[row[i] for i in same] for row in chinese[1:]]
    assert {row[0] for row in rows[1:]} == {"task", "case"}
    for row in rows[1:]:
        assert CJK.findall(" ".join((row[0], row[2], row[4], row[8]))) == [], row
    police = next(row for row in rows[1:] if row[3] == "police")
    assert police[4] == "Public security" and "working" in police[8]
    queued = [row[5] for row in rows[1:] if row[0] == "task" and row[5].startswith("department queue")]
    assert queued and all(CJK.findall(text.split("head:")[0]) == [] for text in queued)

    _, counts = read_csv(client.get("/sla/counts.csv?department=tax"))
    assert counts[0] == [
        "Dimension",
        "Code",
        "Name",
        "English name",
        "on time",
        "due soon",
        "overdue",
        "paused",
        "no limit",
        "Total",
    ]
    assert [row[0] for row in counts[1:3]] == ["All open tasks", "All running cases"]
    assert ["Department", "tax", "税务", "Taxation"] in [row[:4] for row in counts[1:]]  # both names: data


def test_the_counts_csv_has_a_bom_and_the_counts_of_the_filter(client, situation, supervisor):
    client.force_login(supervisor)
    body, rows = read_csv(client.get("/sla/counts.csv?department=tax"))
    assert body.startswith(b"\xef\xbb\xbf")
    header, lines = rows[0], {(r[0], r[1]): r for r in rows[1:]}
    tax = by_light(WorkItem.objects.filter(state="open", department="tax"))
    row = lines[("部门", "tax")]
    assert [int(row[header.index(label)]) for label in ("绿灯", "黄灯", "红灯", "暂停", "无时限")] == list(tax.values())
    assert [key for key in lines if key[0] == "部门"] == [("部门", "tax")]
    assert int(lines[("任务合计", "")][-1]) == sum(tax.values())


# (f) the calendar warning -----------------------------------------------------------------------------


def test_a_deadline_in_an_unannounced_year_shows_the_calendar_warning(client, reference, supervisor):
    calendar = get_calendar()
    assert calendar.is_provisional(dt.date(2027, 1, 4)) and not calendar.is_provisional(dt.date(2026, 12, 31))
    office = Office(reference)
    with time_machine.travel(local(dt.date(2026, 6, 10), 10), tick=False):  # everything due in 2026
        office.start("parallel")
        client.force_login(supervisor)
        response = client.get("/sla/")
    assert b"data-provisional-years" not in response.content
    with time_machine.travel(local(dt.date(2026, 12, 31), 10), tick=False):
        case = office.start("parallel")
        assert WorkItem.objects.filter(case=case, state="open", due_at__year=2027).exists()
        client.force_login(supervisor)  # a session from June has expired by now
        response = client.get("/sla/")
    html = response.content.decode()
    assert 'data-provisional-years="2027"' in html
    assert "工作日历缺少 2027 年的放假安排" in html and "国务院办公厅的放假通知" in html and "docs/sla.md" in html
    with time_machine.travel(local(dt.date(2026, 12, 31), 10), tick=False):
        client.cookies["django_language"] = "en"
        html = client.get("/sla/").content.decode()
    assert "The working-day calendar has no holiday notice for 2027" in html and "State Council" in html


# (b) in a real browser --------------------------------------------------------------------------------


@pytest.fixture
def chromium():
    """Skip (or under CI=true fail) before the situation is built when there is no browser."""
    require_browser()


def test_the_supervisor_sees_the_chart_drills_down_and_opens_a_case_in_chromium(chromium, live_server, situation):
    ensure_demo_people(password=PASSWORD)
    red = Counter(WorkItem.objects.filter(state="open", light="red").values_list("department", flat=True))
    worst = max(sorted(red), key=red.get)  # the department with the most red tasks
    with Browser(live_server.url) as browser:
        browser.login("supervisor", PASSWORD)
        browser.open("/sla/")
        page = browser.page
        page.wait_for_selector("#sla-breaches[data-rendered='1']")
        assert page.evaluate("typeof window.Chart") == "function"
        assert page.evaluate("Chart.getChart(document.getElementById('sla-breaches')).data.datasets.length") >= 2
        box = page.locator("#sla-breaches").bounding_box()
        assert box["width"] > 400 and box["height"] > 150
        assert page.locator(".sla-light.light-red b").first.inner_text() == str(
            WorkItem.objects.filter(state="open", light="red").count()
        )
        browser.screenshot("sla_dashboard")
        browser.screenshot("sla_dashboard_full", full_page=True)

        with page.expect_navigation():
            page.click(f"a[data-department='{worst}']")
        assert f"department={worst}" in page.url
        page.wait_for_selector("#sla-breaches[data-rendered='1']")
        kinds = page.locator("[data-red-row]").evaluate_all("rows => rows.map(r => r.dataset.redRow)")
        assert kinds and all(k.endswith(f":{worst}") or k.startswith("case:") for k in kinds)
        browser.screenshot("sla_dashboard_drilldown")

        number = kinds[0].split(":")[1]
        with page.expect_navigation():
            page.click(f"[data-red-row] a[href='/cases/{number}/']")
        assert page.url.endswith(f"/cases/{number}/")
        assert number in page.locator("h1").inner_text()
        assert browser.errors == []
