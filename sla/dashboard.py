"""The supervisor dashboard's queries (电子监察): lights, the red list, breaches, calendar warnings.

Everything here reads indexed rows (WorkItem, Case), never a workflow's saved state, and
every function is a fixed number of statements however many rows there are: counts are GROUP BY
queries; the red list is escalation's ``red_list``, asked for as many rows as the page needs.

Who sees what: a ``Scope`` carries the departments the user may see (None: all) and the
drill-down filters. A department's view of a case is "a running case with an open task in the
department"; of a case breach, "the case had a task open in the department when it went over".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from engine.models import Case
from processes.models import ServiceItem
from processes.names import in_language, split_bilingual
from workdays import lateness
from workdays.calendar import WorkCalendar
from workdays.clock import Light
from worklists.models import Department, WorkItem

from .escalation import red_list
from .texts import working_time

LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED, Light.PAUSED, Light.NONE)
CHART_DAYS = 30


def _listed(names: Iterable[str]) -> str:
    """Names one after another, with the reader's separator ("、" in Chinese)."""
    return pgettext("list separator", ", ").join(names)


@dataclass(frozen=True)
class Scope:
    """Which rows a page shows: what the user may see, narrowed by the drill-down filters."""

    visible: tuple[str, ...] | None = None  # department codes; None means all departments
    department: str | None = None  # drill-down: one department's code
    service_item: ServiceItem | None = None  # drill-down: one service item

    @property
    def departments(self) -> tuple[str, ...] | None:
        """The department codes the rows are limited to (None: no limit)."""
        if self.department:
            return (self.department,)
        return self.visible

    def without_department(self) -> Scope:
        return replace(self, department=None)

    def without_service_item(self) -> Scope:
        return replace(self, service_item=None)

    def work_items(self) -> QuerySet:
        items = WorkItem.objects.open()
        if self.departments is not None:
            items = items.filter(department_id__in=self.departments)
        if self.service_item is not None:
            items = items.filter(service_item_id=self.service_item.pk)
        return items

    def cases(self) -> QuerySet:
        """Cases under way: running and not concluded (a concluded case waiting for a post-check
        or a rating is past its time limit: its light is final and no longer watched)."""
        cases = Case.objects.filter(status=Case.Status.RUNNING, concluded_at__isnull=True)
        if self.service_item is not None:
            cases = cases.filter(service_item_id=self.service_item.pk)
        if self.departments is not None:
            held = WorkItem.objects.open().filter(case=OuterRef("pk"), department_id__in=self.departments)
            cases = cases.filter(Exists(held))
        return cases

    def late_tasks(self, since: dt.datetime, now: dt.datetime) -> QuerySet:
        """Tasks that went over their due moment between ``since`` and ``now``: closed late, or
        open and late now (workdays.lateness), whether or not a sweep has seen them."""
        items = WorkItem.objects.filter(lateness.late_tasks(now), due_at__gte=since, due_at__lt=now)
        if self.departments is not None:
            items = items.filter(department_id__in=self.departments)
        if self.service_item is not None:
            items = items.filter(service_item_id=self.service_item.pk)
        return items

    def late_cases(self, since: dt.datetime, now: dt.datetime) -> QuerySet:
        """Cases that went over their due moment between ``since`` and ``now``, with that moment
        as ``breach_at``. A department sees the cases it held when they went over: a task of
        theirs was open at that moment (a cancelled task has completed_at too)."""
        cases = Case.objects.filter(lateness.late_cases(now)).annotate(breach_at=lateness.case_breach_moment())
        cases = cases.filter(breach_at__gte=since, breach_at__lt=now)
        if self.service_item is not None:
            cases = cases.filter(service_item_id=self.service_item.pk)
        if self.departments is not None:
            held = WorkItem.objects.filter(
                Q(completed_at__isnull=True) | Q(completed_at__gt=OuterRef("breach_at")),
                case_id=OuterRef("pk"),
                department_id__in=self.departments,
                opened_at__lte=OuterRef("breach_at"),
            )
            cases = cases.filter(Exists(held))
        return cases


# Counts -------------------------------------------------------------------------------------


def light_counts(rows: QuerySet, now: dt.datetime, key: str | None = None) -> dict:
    """{key value: Counter(light -> n)}, or one Counter when ``key`` is None, by each row's light
    at ``now`` (work items or cases; workdays.lateness), not by when a sweep last looked. One GROUP BY."""
    light = lateness.task_light_sql(now) if rows.model is WorkItem else lateness.case_light_sql(now)
    fields = (key, "light_now") if key else ("light_now",)
    grouped = rows.order_by().annotate(light_now=light).values(*fields).annotate(n=Count("pk"))
    if key is None:
        return Counter({row["light_now"]: row["n"] for row in grouped})
    result: dict = defaultdict(Counter)
    for row in grouped:
        result[row[key]][row["light_now"]] += row["n"]
    return result


@dataclass
class CountRow:
    code: str
    name: str
    name_en: str
    lights: Counter
    breaches: int = 0

    def __post_init__(self):
        self.name, self.name_en = split_bilingual(self.name, self.name_en)  # the CSV has a column for each

    @property
    def total(self) -> int:
        return sum(self.lights[light] for light in LIGHTS)

    def ordered(self) -> list[tuple[str, int]]:
        return [(light, self.lights[light]) for light in LIGHTS]


def _worst_first(rows: list[CountRow]) -> list[CountRow]:
    return sorted(rows, key=lambda r: (-r.lights[Light.RED], -r.lights[Light.YELLOW], -r.total, r.code))


def department_rows(
    scope: Scope, departments: Iterable[Department], now: dt.datetime, breaches: Counter | None = None
) -> list[CountRow]:
    """Open work items per department by light (the drill-down department itself not applied)."""
    counts = light_counts(scope.without_department().work_items(), now, "department_id")
    rows = [
        CountRow(d.code, d.name, d.name_en, counts.get(d.code, Counter()), (breaches or Counter())[d.code])
        for d in departments
    ]
    return _worst_first(rows)


NO_SERVICE_ITEM = "-"


def service_item_rows(scope: Scope, items: Iterable[ServiceItem], now: dt.datetime) -> list[CountRow]:
    """Open work items per service item by light (the drill-down service item itself not applied)."""
    counts = light_counts(scope.without_service_item().work_items(), now, "service_item_id")
    rows = [CountRow(i.code, i.name, i.name_en, counts.get(i.pk, Counter())) for i in items]
    if counts.get(None):
        rows.append(CountRow(NO_SERVICE_ITEM, _("(no service item)"), "", counts[None]))
    return _worst_first(rows)


# The red list --------------------------------------------------------------------------------
# The list itself is escalation's ``red_list`` (sla.escalation): red open tasks and red running
# cases, the highest escalation level first, then the longest overdue. The dashboard pages it,
# narrows it to a service item, and says who must act.


@dataclass
class RedRow:
    kind: str  # "task" or "case"
    row_id: int  # the work item's or the case's id
    case_id: int
    case_number: str
    task: str  # the task's name; empty for a case
    dept_code: str  # empty for a case
    dept_name: str
    dept_name_en: str
    assignee: str  # who claimed the task; empty while it waits in the department queue
    answerable: str  # a queued task: its department's heads; a case: whoever answers for its open tasks
    holders: str  # for a case: the departments whose tasks are open
    due_at: dt.datetime
    overdue_hours: float
    escalation_level: int = 0
    urges: int = 0  # 催办 of the task (a case row: none)

    @property
    def sort_key(self) -> tuple:
        return (-self.escalation_level, self.due_at, self.kind, self.row_id)

    @property
    def department(self) -> str:
        """The task's department in the reader's language (empty for a case)."""
        return in_language(self.dept_name, self.dept_name_en)

    @property
    def responsible(self) -> str:
        """Who must act, for the CSV: the assignee, else the department queue (and its heads)."""
        if self.kind == "case":
            if not self.answerable:
                return self.holders
            return _("%(departments)s (%(people)s)") % {"departments": self.holders, "people": self.answerable}
        if self.assignee:
            return self.assignee
        if not self.answerable:
            return _("department queue")
        return _("department queue (head: %(heads)s)") % {"heads": self.answerable}

    @property
    def overdue(self) -> str:
        """How far overdue, in working days and hours, in the reader's language."""
        return working_time(self.overdue_hours)


def _names(users) -> str:
    return _listed(user.get_full_name() or user.get_username() for user in users)


def red_rows(
    scope: Scope, now: dt.datetime, departments: Iterable[Department], limit: int | None = None
) -> list[RedRow]:
    """The first ``limit`` rows of the red list (all when None), in its order. A fixed number of
    queries: escalation's red_list (tasks, cases, their open tasks, the heads), and one more to
    keep a service item's rows, which red_list cannot filter by (it then reads every red row)."""
    listed = red_list(scope.departments, now=now, limit=None if scope.service_item else limit)
    names = {d.code: in_language(d.name, d.name_en) for d in departments}
    rows = [
        RedRow(
            "task",
            t.work_item_id,
            t.case_id,
            t.case_number,
            t.task_name,
            t.department_code,
            t.department_name,
            t.department_name_en,
            t.assignee.get_username() if t.assignee else "",
            "" if t.assignee else _names(t.responsible),
            "",
            t.due_at,
            t.overdue_working_hours,
            t.escalation_level,
            t.urges,
        )
        for t in listed.tasks
    ] + [
        RedRow(
            "case",
            c.case_id,
            c.case_id,
            c.number,
            "",
            "",
            "",
            "",
            "",
            _names(c.responsible),
            _listed(names.get(code, code) for code in c.departments),
            c.due_at,
            c.overdue_working_hours,
            c.escalation_level,
        )
        for c in listed.cases
    ]
    if scope.service_item is not None:
        ids = {row.case_id for row in rows}
        keep = set(Case.objects.filter(pk__in=ids, service_item_id=scope.service_item.pk).values_list("pk", flat=True))
        rows = [row for row in rows if row.case_id in keep]
    rows.sort(key=lambda row: row.sort_key)
    return rows[:limit] if limit is not None else rows


class RedWindow:
    """The red list as a sequence for Paginator: counted in SQL, and a page [a:b] is the first b
    rows of the merge of the first b tasks and the first b cases (the merge's first b rows are
    among them), so that the cost follows the page's depth, not the list's length."""

    def __init__(self, scope: Scope, now: dt.datetime, departments: Iterable[Department]):
        self.scope, self.now, self.departments = scope, now, list(departments)

    def count(self) -> int:
        tasks = self.scope.work_items().filter(lateness.open_late_tasks(self.now))
        return tasks.count() + self.scope.cases().filter(lateness.running_late_cases(self.now)).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[RedRow]:
        return red_rows(self.scope, self.now, self.departments, limit=window.stop)[window]


# Breaches over time ----------------------------------------------------------------------------


def breach_chart(scope: Scope, departments: Iterable[Department], now: dt.datetime, days: int = CHART_DAYS) -> dict:
    """Breaches per local day for the last ``days`` days, on the day each went over its due moment:
    task breaches per department (stacked bars) and case breaches (points). Two GROUP BYs over
    the rows (workdays.lateness), so a breach counts whether a step or a sweep recorded it."""
    zone = timezone.get_current_timezone()
    first, since = chart_window(now, days)
    tasks = (
        scope.late_tasks(since, now)
        .order_by()
        .annotate(day=TruncDate("due_at", tzinfo=zone))
        .values_list("day", "department_id")
        .annotate(n=Count("pk"))
    )
    late_cases = (
        scope.late_cases(since, now)
        .order_by()
        .annotate(day=TruncDate("breach_at", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    dates = [first + dt.timedelta(days=i) for i in range(days)]
    index = {day: i for i, day in enumerate(dates)}
    per_department: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    cases = [0] * days
    for day, department, n in tasks:
        if _day(day) in index:
            per_department[department][index[_day(day)]] += n
    for day, n in late_cases:
        if _day(day) in index:
            cases[index[_day(day)]] += n
    names = {d.code: in_language(d.name, d.name_en) for d in departments}
    series = [
        {"code": code, "name": names.get(code, code), "counts": counts}
        for code, counts in sorted(per_department.items(), key=lambda kv: -sum(kv[1]))
    ]
    return {
        "days": [day.isoformat() for day in dates],
        "departments": series,
        "cases": cases,
        "totals": {"tasks": sum(sum(s["counts"]) for s in series), "cases": sum(cases)},
        "labels": {"cases": _("Case breaches"), "axis": _("Number of breaches")},  # the chart's own words
    }


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # some backends hand back text


def chart_window(now: dt.datetime, days: int = CHART_DAYS) -> tuple[dt.date, dt.datetime]:
    """The first local day of the last ``days`` days (today included), and the moment it began."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(now, zone).date() - dt.timedelta(days=days - 1)
    return first, dt.datetime.combine(first, dt.time.min, tzinfo=zone)


def task_breaches_by_department(scope: Scope, now: dt.datetime, days: int = CHART_DAYS) -> Counter:
    """Task breaches per department in the chart's window, the drill-down department not applied
    (the department table lists them all). One GROUP BY."""
    _, since = chart_window(now, days)
    late = scope.without_department().late_tasks(since, now)
    return Counter(dict(late.order_by().values_list("department_id").annotate(n=Count("pk"))))


# The calendar warning ----------------------------------------------------------------------------


def provisional_years(scope: Scope, calendar: WorkCalendar) -> tuple[int, ...]:
    """Unannounced calendar years that the open deadlines (promised and statutory, of tasks and
    of cases) reach: those deadlines were counted by the provisional rule. Two aggregate queries."""
    bounds = []
    for rows in (scope.work_items(), scope.cases()):
        found = rows.aggregate(a=Min("due_at"), b=Max("due_at"), c=Min("statutory_due_at"), d=Max("statutory_due_at"))
        bounds += [moment for moment in found.values() if moment is not None]
    if not bounds:
        return ()
    local = [moment.astimezone(calendar.zone).date() for moment in bounds]
    return calendar.provisional_years_in(min(local), max(local))
