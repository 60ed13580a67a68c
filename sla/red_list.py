"""The supervisor's red list (电子监察 红灯督办): what is late now, who must act, how far it went up.

A task is on the list while it is open past its due moment; a case while its clock runs past its
due moment (workdays.lateness), whether or not the light sweep has turned it red yet. The list reads
indexed rows only (the partial indexes ``workitem_turns_red`` and ``sla_workitem_red_open``,
``case_turns_red`` and ``sla_case_red_running``, and ``escalation_once_per_level``); it never
loads a workflow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from engine.models import Case
from workdays import lateness
from workdays.calendar_store import get_calendar
from worklists.models import StaffMember, WorkItem

from .escalation_models import Escalation


@dataclass(frozen=True)
class RedTask:
    """A red open task. ``responsible`` is its assignee, or else the heads of its department (may be
    empty when the department has no head). ``escalation_level`` is 0 until the first level."""

    work_item_id: int
    case_id: int
    case_number: str
    task_spec: str
    task_name: str
    department_code: str
    department_name: str
    department_name_en: str
    due_at: dt.datetime
    overdue_working_hours: float
    assignee: object | None
    responsible: tuple = ()
    escalation_level: int = 0
    escalated_at: dt.datetime | None = None  # when the highest level was reached
    link: str = ""  # the case page, e.g. /cases/BL-2026-000001/
    urges: int = 0  # 催办: how often it was urged


@dataclass(frozen=True)
class RedCase:
    """A red running case, with its open tasks and who is responsible for each of them (the
    assignee, else the department's heads), and the highest level any of its tasks reached."""

    case_id: int
    number: str
    service_item_name: str
    due_at: dt.datetime
    overdue_working_hours: float
    open_tasks: tuple[str, ...] = ()  # task names
    departments: tuple[str, ...] = ()  # department codes of the open tasks
    responsible: tuple = ()
    escalation_level: int = 0
    link: str = ""


@dataclass(frozen=True)
class RedList:
    tasks: list[RedTask] = field(default_factory=list)
    cases: list[RedCase] = field(default_factory=list)


def red_list(
    departments: Iterable[str] | None = None, *, now: dt.datetime | None = None, limit: int | None = None
) -> RedList:
    """The red open tasks and the red running cases, the highest escalation level first, then
    the longest overdue. ``departments`` (codes) keeps the tasks of those departments and the
    cases with an open task in one of them; None means all. ``overdue_working_hours`` is office
    time since the due moment, at ``now`` (default: the current time). ``limit`` caps each list.

    A handful of queries whatever the length: tasks, cases, their open tasks, department heads.
    """
    now = now or timezone.now()
    codes = None if departments is None else list(departments)
    calendar = get_calendar()
    tasks = _red_tasks(codes, limit, now)
    cases = _red_cases(codes, limit, now)
    case_items = _open_items_of(cases)
    heads = _heads({t.department_id for t in tasks} | {i.department_id for items in case_items.values() for i in items})

    def responsible(item) -> tuple:
        return (item.assignee,) if item.assignee_id else tuple(heads.get(item.department_id, ()))

    def overdue(due_at) -> float:
        return round(max(calendar.working_hours_between(due_at, now), 0.0), 2)

    red_tasks = [
        RedTask(
            work_item_id=t.pk,
            case_id=t.case_id,
            case_number=t.case.number,
            task_spec=t.task_spec,
            task_name=t.name,
            department_code=t.department_id,
            department_name=t.department.name,
            department_name_en=t.department.name_en,
            due_at=t.due_at,
            overdue_working_hours=overdue(t.due_at),
            assignee=t.assignee,
            responsible=responsible(t),
            escalation_level=t.escalation_level,
            escalated_at=t.escalated_at,
            link=_link(t.case.number),
            urges=t.urges,
        )
        for t in tasks
    ]
    red_cases = []
    for c in cases:
        items = case_items.get(c.pk, [])
        people = {u.pk: u for i in items for u in responsible(i)}
        red_cases.append(
            RedCase(
                case_id=c.pk,
                number=c.number,
                service_item_name=c.service_item.name if c.service_item else "",
                due_at=c.due_at,
                overdue_working_hours=overdue(c.due_at),
                open_tasks=tuple(i.name for i in items),
                departments=tuple(dict.fromkeys(i.department_id for i in items)),
                responsible=tuple(people.values()),
                escalation_level=c.escalation_level,
                link=_link(c.number),
            )
        )
    return RedList(tasks=red_tasks, cases=red_cases)


def _red_tasks(codes: list[str] | None, limit: int | None, now: dt.datetime) -> list[WorkItem]:
    top = Escalation.objects.filter(work_item=OuterRef("pk")).order_by("-level")
    rows = (
        WorkItem.objects.filter(lateness.open_late_tasks(now))
        .select_related("case", "department", "assignee")
        .annotate(
            escalation_level=Coalesce(Subquery(top.values("level")[:1]), Value(0)),
            escalated_at=Subquery(top.values("reached_at")[:1]),
        )
        .order_by("-escalation_level", "due_at", "pk")
    )
    if codes is not None:
        rows = rows.filter(department_id__in=codes)
    return list(rows[:limit] if limit else rows)


def _red_cases(codes: list[str] | None, limit: int | None, now: dt.datetime) -> list[Case]:
    top = Escalation.objects.filter(case=OuterRef("pk")).order_by("-level")
    rows = (
        Case.objects.filter(lateness.running_late_cases(now))
        .select_related("service_item")
        .annotate(escalation_level=Coalesce(Subquery(top.values("level")[:1]), Value(0)))
        .order_by("-escalation_level", "due_at", "pk")
    )
    if codes is not None:
        in_departments = WorkItem.objects.filter(
            case=OuterRef("pk"), state=WorkItem.State.OPEN, department_id__in=codes
        )
        rows = rows.filter(Exists(in_departments))
    return list(rows[:limit] if limit else rows)


def _open_items_of(cases: list[Case]) -> dict[int, list[WorkItem]]:
    items = defaultdict(list)
    rows = WorkItem.objects.filter(case_id__in=[c.pk for c in cases], state=WorkItem.State.OPEN)
    for item in rows.select_related("assignee").order_by("due_at", "pk"):
        items[item.case_id].append(item)
    return items


def _heads(department_codes: set[str]) -> dict[str, list]:
    heads = defaultdict(list)
    rows = StaffMember.objects.filter(
        role=StaffMember.Role.HEAD, department_id__in=department_codes, user__is_active=True
    )
    for member in rows.select_related("user").order_by("user_id"):
        heads[member.department_id].append(member.user)
    return heads


def _link(case_number: str) -> str:
    return reverse("case_detail", args=[case_number])
