"""告知承诺制 in figures: how soon the licence comes with and without a commitment, and what the
post-checks found, per department. Read from the licences, the work items and the event log."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from engine.models import Case
from processes.models import ProcessVersion
from workdays.calendar_store import get_calendar
from workdays.clock import used_working_days
from worklists.models import WorkItem

from .models import Licence

POST_CHECK_FLAG = ("1", "true", "yes")


@dataclass
class Spread:
    """Median and 90th percentile of a list of numbers; None where there are none."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            return cls()
        ordered = sorted(values)
        p90 = ordered[0] if len(ordered) == 1 else statistics.quantiles(ordered, n=10, method="inclusive")[-1]
        return cls(len(ordered), statistics.median(ordered), p90)


@dataclass
class TimeToLicence:
    committed: bool
    working_days: Spread
    hours: Spread


@dataclass
class PostCheckRow:
    department: str
    passed: int = 0
    failed: int = 0
    open: int = 0
    rectified: int = 0
    revoked: int = 0
    rectifying: int = 0
    outcomes: Counter = field(default_factory=Counter)

    @property
    def done(self) -> int:
        return self.passed + self.failed

    @property
    def fail_share(self) -> float | None:
        return self.failed / self.done if self.done else None


def time_to_licence(kind: str = "business_licence", cases=None) -> list[TimeToLicence]:
    """From application (case start) to the licence of ``kind``, without and with a commitment."""
    calendar = get_calendar()
    licences = Licence.objects.filter(kind=kind)
    if cases is not None:
        licences = licences.filter(case__in=cases)
    samples: dict[bool, tuple[list, list]] = {False: ([], []), True: ([], [])}
    for issued_at, started_at, committed in licences.values_list(
        "issued_at", "case__started_at", "case__notify_commit"
    ):
        days, hours = samples[bool(committed)]
        days.append(used_working_days(started_at, issued_at, calendar))
        hours.append(max((issued_at - started_at).total_seconds() / 3600, 0.0))
    return [
        TimeToLicence(committed, Spread.of(days), Spread.of(hours))
        for committed, (days, hours) in sorted(samples.items())
    ]


def post_check_tasks() -> set[tuple[int, str]]:
    """(version id, task id) of every post-check task (property ``post_check=true``) deployed."""
    found = set()
    for version_id, elements in ProcessVersion.objects.values_list("id", "elements"):
        for task_id, task in (elements or {}).get("user_tasks", {}).items():
            if str(task.get("properties", {}).get("post_check", "")).lower() in POST_CHECK_FLAG:
                found.add((version_id, task_id))
    return found


def post_check_outcomes(cases=None) -> list[PostCheckRow]:
    """Per department: post-checks passed, failed, open; of the failed, rectified, revoked, still in rectification."""
    tasks = post_check_tasks()
    rows: dict[str, PostCheckRow] = defaultdict(lambda: PostCheckRow(""))
    items = WorkItem.objects.filter(task_spec__in={task for _, task in tasks}).exclude(state=WorkItem.State.CANCELLED)
    if cases is not None:
        items = items.filter(case__in=cases)
    failed_cases: dict[int, str] = {}
    for version_id, spec, department, state, outcome, case_id in items.values_list(
        "version_id", "task_spec", "department_id", "state", "outcome", "case_id"
    ):
        if (version_id, spec) not in tasks:
            continue
        row = rows[department]
        row.department = department
        if state == WorkItem.State.OPEN:
            row.open += 1
            continue
        row.outcomes[outcome] += 1
        if outcome == "fail":
            row.failed += 1
            failed_cases[case_id] = department
        else:
            row.passed += 1
    revoked = set(
        Licence.objects.filter(case_id__in=failed_cases, status=Licence.Status.REVOKED).values_list(
            "case_id", flat=True
        )
    )
    running = set(Case.objects.filter(pk__in=failed_cases, status=Case.Status.RUNNING).values_list("pk", flat=True))
    for case_id, department in failed_cases.items():
        row = rows[department]
        if case_id in revoked:
            row.revoked += 1
        elif case_id in running:
            row.rectifying += 1
        else:
            row.rectified += 1
    return sorted(rows.values(), key=lambda r: r.department)
