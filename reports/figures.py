"""The reengineering figures of a set of cases: one process version, a whole process, or all.

Read from the rows the engine keeps beside its event log (``Case``, ``WorkItem``, ``Event``).
Counts and shares are aggregated in SQL: a fixed number of queries whatever the number of cases,
on SQLite and PostgreSQL alike. Durations in office hours need the working-day calendar, which
lives outside the database, so they read one row per case (or task) and are counted in Python.

What the figures mean (docs/metrics.md, "Reports"):

- cycle time: from acceptance (``case_started``) to the result (办结, ``Case.concluded_at``; for a
  case without it, its end). The rating window and a commitment's post-check come after the
  result and do not count. In working days (office hours / 7 h, holidays excluded) and in
  calendar hours; median and 90th percentile, over the concluded cases;
- waiting (opened → claimed) and working (claimed → completed) time per department, in office
  hours; tasks that wait for the applicant (a correction, ``clock=paused``) are the applicant's
  time, reported apart, not the department's;
- a hand-off: a task that opens in another department than the task completed just before it;
- trips (最多跑一次): an application at the window is one trip, and so is each correction
  round of such a case (the material is brought to the window); online cases upload it and
  make none. E-licences are collected online: no trip. Fully online (全程网办): no trip at all;
- materials: those the service item asks for, plus those asked for again in corrections;
- on time: a case whose clock never ran past its promised due time (workdays.lateness: a case that went
  over before a correction stopped its clock stays late); a department task completed by its own;
- casework, per case and per department, from the event log: send-backs (退回, the department that
  sent back), tasks taken back (撤回), urges (催办, on the department's tasks), extensions approved
  (延期, asked by the department), suspensions (中止) and the working days they took, and the shares
  of cases not accepted (不予受理) and terminated or withdrawn (终止, 撤回申请).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db import models as dm
from django.db.models import Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from engine import clocks
from engine.models import Case, Event
from processes.models import ServiceItem
from workdays import lateness
from workdays.calendar import OFFICE_HOURS
from workdays.calendar_store import get_calendar
from worklists.models import Department, WorkItem

from .registry import FIGURES

# Office hours in one working day (09:00–12:00, 13:30–17:30): a working day of cycle time.
WORKDAY_HOURS = sum(
    (dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)).total_seconds() / 3600
    for opens, closes in OFFICE_HOURS
)
LIGHTS = ("green", "yellow", "red")
ENDED_BADLY = (Case.Status.CANCELLED, Case.Status.FAILED)
APPLICANT = "applicant"  # the row of the applicant's correction time among the departments
APPLICANT_NAME = gettext_lazy("Applicant's corrections")  # that row's name, in the reader's language


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], q: int) -> float | None:
    """The q-th percentile, interpolated between the closest ranks (inclusive, as spreadsheets do)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def applicant_tasks(versions) -> Q:
    """The work items that wait for the applicant (their task stops the case clock), by version."""
    q = Q(pk__in=[])
    for version in versions:
        specs = [spec for spec, meta in version.elements.get("user_tasks", {}).items() if clocks.stops_case_clock(meta)]
        if specs:
            q |= Q(version=version, task_spec__in=specs)
    return q


class CaseSet:
    """The figures of the cases in ``cases`` (a queryset), which run on ``versions``."""

    def __init__(self, cases, versions, calendar=None):
        self.cases = cases
        self.versions = list(versions)
        self.calendar = calendar or get_calendar()
        self.tasks = WorkItem.objects.filter(case__in=cases)

    def hours(self, start: dt.datetime, end: dt.datetime) -> float:
        return max(self.calendar.working_hours_between(start, end), 0.0)

    def figures(self) -> dict:
        out: dict = dict.fromkeys(FIGURES)
        counts = self.cases.aggregate(n=Count("id"), commit=Count("id", filter=Q(notify_commit=True)))
        out["cases"] = counts["n"]
        out["notify_commit_share"] = share(counts["commit"], counts["n"])
        out.update(self.cycle_times())
        out.update(self.trips(counts["n"]))
        corrections = self.tasks.filter(state=WorkItem.State.COMPLETED, outcome__in=clocks.PAUSING_OUTCOMES).count()
        out["corrections_per_case"] = share(corrections, counts["n"])
        out["handoffs_per_case"] = share(self.handoffs(), counts["n"])
        out["materials_per_case"] = share(self.materials(), counts["n"])
        departments = self.departments()
        out["departments"] = departments
        task_lights = Counter()
        for row in departments:
            if row["code"] != APPLICANT:
                task_lights.update(row["lights"])
        out["task_lights"] = {light: task_lights[light] for light in LIGHTS}
        out["task_on_time_share"] = share(
            task_lights["green"] + task_lights["yellow"], sum(task_lights[x] for x in LIGHTS)
        )
        out.update(self.casework(counts["n"], departments))
        return out

    # Casework ---------------------------------------------------------------------------------

    CASEWORK = {
        Event.Kind.TASK_SENT_BACK: "send_backs",
        Event.Kind.TASK_WITHDRAWN: "withdrawals",
        Event.Kind.TASK_URGED: "urges",
        Event.Kind.EXTENSION_APPROVED: "extensions",
        Event.Kind.CASE_SUSPENDED: "suspensions",
    }

    def casework(self, cases: int, departments: list[dict]) -> dict:
        """Counts per case, and per department into ``departments`` (an extension counts for the
        department that asked for it): three queries, the counts grouped in SQL."""
        counted = Event.objects.filter(case__in=self.cases, kind__in=list(self.CASEWORK))
        by_department, totals = defaultdict(Counter), Counter()
        for department, kind, n in (
            counted.values_list("department", "kind").annotate(n=Count("id")).values_list("department", "kind", "n")
        ):
            totals[kind] += n
            by_department[department][self.CASEWORK[kind]] += n
        by_department = {
            code: Counter({k: v for k, v in c.items() if k != "extensions"}) for code, c in by_department.items()
        }
        by_department = defaultdict(Counter, by_department)
        out = {f"{name}_per_case": share(totals[kind], cases) for kind, name in self.CASEWORK.items()}
        # The facts kept in the rows' data (rare rows): the working days a suspension took, and
        # which department asked for each extension approved.
        suspended, asked_by, approved = 0, {}, []
        for kind, department, data in Event.objects.filter(
            case__in=self.cases,
            kind__in=[Event.Kind.CASE_RESUMED, Event.Kind.EXTENSION_REQUESTED, Event.Kind.EXTENSION_APPROVED],
        ).values_list("kind", "department", "data"):
            data = data or {}
            if kind == Event.Kind.CASE_RESUMED:
                suspended += data.get("working_days", 0)
            elif kind == Event.Kind.EXTENSION_REQUESTED:
                asked_by[data.get("extension")] = department
            else:
                approved.append(data.get("extension"))
        for extension in approved:
            by_department[asked_by.get(extension, "")]["extensions"] += 1
        out["suspended_working_days_per_case"] = share(suspended, cases)
        ended = dict(
            self.cases.filter(result__in=[Case.Result.NOT_ACCEPTED, Case.Result.TERMINATED, Case.Result.WITHDRAWN])
            .values_list("result")
            .annotate(n=Count("id"))
            .values_list("result", "n")
        )
        out["not_accepted_share"] = share(ended.get(Case.Result.NOT_ACCEPTED, 0), cases)
        out["terminated_share"] = share(
            ended.get(Case.Result.TERMINATED, 0) + ended.get(Case.Result.WITHDRAWN, 0), cases
        )
        # A department that made a move but completed nothing (its task was sent back) has a row too.
        listed = {row["code"] for row in departments}
        names = {
            d.code: d for d in Department.objects.filter(code__in=[c for c in by_department if c and c not in listed])
        }
        for code in sorted(names):
            departments.append(
                {
                    "code": code,
                    "name": names[code].name,
                    "name_en": names[code].name_en,
                    "tasks": 0,
                    "wait_hours_median": None,
                    "wait_hours_mean": None,
                    "work_hours_median": None,
                    "work_hours_mean": None,
                    "hours_per_case": None,
                    "lights": dict.fromkeys(LIGHTS, 0),
                    "on_time_share": None,
                }
            )
        for row in departments:
            row["casework"] = {name: by_department[row["code"]][name] for name in ("send_backs", "urges", "extensions")}
        return out

    # Cases ------------------------------------------------------------------------------------

    def concluded(self):
        done = Coalesce("concluded_at", "ended_at")
        return self.cases.exclude(status__in=ENDED_BADLY).annotate(done=done).filter(done__isnull=False)

    def cycle_times(self) -> dict:
        concluded = self.concluded()
        rows = list(concluded.values_list("started_at", "done"))
        days = [self.hours(start, done) / WORKDAY_HOURS for start, done in rows]
        hours = [max((done - start).total_seconds(), 0) / 3600 for start, done in rows]
        lights = dict(
            concluded.annotate(light_done=lateness.case_light_sql(timezone.now()))
            .values_list("light_done")
            .annotate(n=Count("id"))
        )
        limited = sum(lights.get(x, 0) for x in LIGHTS)
        return {
            "concluded": len(rows),
            "cycle_working_days_median": median(days),
            "cycle_working_days_p90": percentile(days, 90),
            "cycle_calendar_hours_median": median(hours),
            "cycle_calendar_hours_p90": percentile(hours, 90),
            "cycle_working_days": days,
            "case_lights": {light: lights.get(light, 0) for light in LIGHTS},
            "case_on_time_share": share(lights.get("green", 0) + lights.get("yellow", 0), limited),
        }

    def trips(self, cases: int) -> dict:
        rounds = (
            WorkItem.objects.filter(
                case=OuterRef("pk"), state=WorkItem.State.COMPLETED, outcome__in=clocks.PAUSING_OUTCOMES
            )
            .values("case")
            .annotate(n=Count("id"))
            .values("n")
        )
        per_case = self.cases.annotate(
            trips=dm.Case(
                When(
                    channel=Case.Channel.WINDOW, then=1 + Coalesce(Subquery(rounds, output_field=dm.IntegerField()), 0)
                ),
                default=Value(0),
                output_field=dm.IntegerField(),
            )
        )
        spread = dict(per_case.order_by().values_list("trips").annotate(n=Count("id")))
        total = sum(trips * n for trips, n in spread.items())
        return {
            "trips_per_case": share(total, cases),
            "at_most_one_trip_share": share(spread.get(0, 0) + spread.get(1, 0), cases),
            "fully_online_share": share(spread.get(0, 0), cases),
            "trip_spread": {trips: spread[trips] for trips in sorted(spread)},
        }

    def handoffs(self) -> int:
        """Tasks opened in another department than the task completed just before them."""
        before = (
            WorkItem.objects.filter(
                case=OuterRef("case"), state=WorkItem.State.COMPLETED, completed_at__lte=OuterRef("opened_at")
            )
            .exclude(pk=OuterRef("pk"))
            .order_by("-completed_at", "-id")
            .values("department")[:1]
        )
        handed = (
            self.tasks.annotate(came_from=Subquery(before))
            .filter(came_from__isnull=False)
            .exclude(came_from=F("department"))
        )
        return handed.count()

    def materials(self) -> int:
        """Materials the service items ask for at intake, plus those asked for again in corrections."""
        at_intake = sum(len(materials or []) * n for materials, n in self._materials_by_item())
        notes = Event.objects.filter(
            case__in=self.cases, kind=Event.Kind.TASK_COMPLETED, outcome__in=clocks.PAUSING_OUTCOMES
        )
        again = sum(
            max(len((data or {}).get("form", {}).get("missing_materials") or []), 1)
            for data in notes.values_list("data", flat=True)
        )
        return at_intake + again

    def _materials_by_item(self) -> list[tuple[list | None, int]]:
        """(the service item's materials, its number of cases), per service item."""
        counts = dict(self.cases.order_by().values_list("service_item").annotate(n=Count("id")))
        materials = dict(ServiceItem.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "materials"))
        return [(materials.get(pk), n) for pk, n in counts.items() if pk]

    # Departments ------------------------------------------------------------------------------

    def departments(self) -> list[dict]:
        """Per department: tasks, waiting and working time (office hours), lights at completion;
        the applicant's correction time as a row of its own (code ``applicant``)."""
        done = self.tasks.filter(state=WorkItem.State.COMPLETED)
        mine = applicant_tasks(self.versions)
        wait, work, n = defaultdict(list), defaultdict(list), Counter()
        rows = done.annotate(
            is_applicant=dm.Case(When(mine, then=Value(1)), default=Value(0), output_field=dm.IntegerField())
        )
        for code, opened, claimed, completed, by_applicant in rows.values_list(
            "department", "opened_at", "claimed_at", "completed_at", "is_applicant"
        ):
            code = APPLICANT if by_applicant else code
            taken = claimed if claimed and opened <= claimed <= completed else completed
            wait[code].append(self.hours(opened, taken))
            work[code].append(self.hours(taken, completed))
            n[code] += 1
        lights = defaultdict(Counter)
        for code, light, count in (
            done.exclude(mine)
            .annotate(light_done=lateness.closed_light_sql("completed_at"))
            .values_list("department", "light_done")
            .annotate(c=Count("id"))
            .values_list("department", "light_done", "c")
        ):
            lights[code][light] += count
        cases = self.cases.count()
        names = {d.code: d for d in Department.objects.filter(code__in=list(n))}
        out = []
        for code in sorted(n, key=lambda c: (c == APPLICANT, c)):
            department = names.get(code)
            limited = sum(lights[code][x] for x in LIGHTS)
            out.append(
                {
                    "code": code,
                    "name": department.name if department else (APPLICANT_NAME if code == APPLICANT else code),
                    "name_en": department.name_en if department else "",
                    "tasks": n[code],
                    "wait_hours_median": median(wait[code]),
                    "wait_hours_mean": mean(wait[code]),
                    "work_hours_median": median(work[code]),
                    "work_hours_mean": mean(work[code]),
                    "hours_per_case": share(sum(wait[code]) + sum(work[code]), cases),
                    "lights": {light: lights[code][light] for light in LIGHTS},
                    "on_time_share": share(lights[code]["green"] + lights[code]["yellow"], limited),
                }
            )
        return out


def version_figures(version, calendar=None) -> dict:
    """Every figure of one process version's cases (the keys of reports.registry.FIGURES, and
    ``departments``, ``case_lights``, ``task_lights``, ``trip_spread``, ``cycle_working_days``).
    The simulation puts its prediction beside this."""
    return CaseSet(Case.objects.filter(version=version), [version], calendar).figures()


def process_figures(definition, calendar=None) -> list[tuple]:
    """(version, figures) for each version of a process that has cases, oldest first."""
    calendar = calendar or get_calendar()
    versions = definition.versions.filter(cases__isnull=False).distinct().order_by("number")
    return [(version, version_figures(version, calendar)) for version in versions]
