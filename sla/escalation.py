"""Escalation (督办 / 梯次督查): a late task goes up its department's chain, level by level.

The chain is data (``EscalationStep``): level n is reached ``after_working_hours`` of office time
past the task's due time, counted on the working-day calendar. The sweep is set-based and reads
indexed rows only:

1. Red open tasks that have no ``EscalationState`` yet get one, with the moment their first level
   is due (``next_at``). The anti-join reads the red-open partial index ``sla_workitem_red_open``.
2. States whose ``next_at`` has passed (partial index ``escalation_next_due``) are claimed with
   ``SELECT … FOR UPDATE SKIP LOCKED``; each reaches every level now due, writes an
   ``Escalation`` row per level (unique per task and level), an ``escalated`` event, and
   notifications, then stores when the next level is due, or null when there is none.

Two sweeps at once skip each other's rows; a sweep run twice finds nothing due. A task completed
or cancelled meanwhile is closed (``next_at`` null) the next time its state comes due, without an
escalation. One broken row is recorded in ``last_error``, retried later, and never blocks the rest.
``red_list`` (the supervisor's list) lives in ``sla.red_list`` and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from engine import events
from engine.models import Event
from workdays.calendar import WorkCalendar
from workdays.calendar_store import get_calendar
from worklists.models import StaffMember, WorkItem

from .escalation_models import Escalation, EscalationState, EscalationStep
from .notification_models import Notification
from .notifications import do_notify
from .red_list import RedCase, RedList, RedTask, red_list  # noqa: F401 - the dashboard imports them from here
from .texts import escalation_notice

log = logging.getLogger(__name__)

EVENT_KIND = Event.Kind.ESCALATED
BATCH = 500
RETRY_AFTER = dt.timedelta(minutes=10)  # a row that failed is tried again this much later
Who = EscalationStep.Who


@dataclass
class EscalationSweepResult:
    started: int = 0  # red tasks given a state (two racing sweeps may both count one)
    escalated: int = 0  # levels reached (Escalation rows written)
    closed: int = 0  # tasks finished before their next level
    notified: int = 0  # notifications written
    failed: int = 0  # rows that raised; recorded and retried later

    def __str__(self):
        return (
            f"escalation: {self.started} started, {self.escalated} levels reached, {self.closed} closed, "
            f"{self.notified} notified, {self.failed} failed"
        )


@dataclass(frozen=True)
class Level:
    level: int
    after_working_hours: float
    who: str
    step_id: int | None = None
    user_ids: tuple[int, ...] = ()


class Chains:
    """Every configured chain, read once per sweep. A department's own steps replace the default."""

    def __init__(self, steps):
        self.by_department: dict[str | None, list[Level]] = defaultdict(list)
        for step in sorted(steps, key=lambda s: s.level):
            self.by_department[step.department_id].append(
                Level(step.level, step.after_working_hours, step.who, step.pk, tuple(u.pk for u in step.users.all()))
            )

    @classmethod
    def load(cls) -> Chains:
        return cls(EscalationStep.objects.prefetch_related("users"))

    def chain(self, department: str) -> list[Level]:
        return self.by_department.get(department) or self.by_department.get(None, [])

    def after(self, department: str, level: int) -> Level | None:
        """The first configured level above ``level``; None at the end of the chain."""
        return next((step for step in self.chain(department) if step.level > level), None)


class Recipients:
    """Who each level notifies, read once per sweep: active users only."""

    def __init__(self):
        self._heads: dict[str, list] = {}
        self._supervisors: list | None = None
        self._users: dict[int, object] = {}

    def _staff(self, **filters) -> list:
        rows = StaffMember.objects.filter(user__is_active=True, **filters).select_related("user").order_by("user_id")
        return [member.user for member in rows]

    def heads(self, department: str) -> list:
        if department not in self._heads:
            self._heads[department] = self._staff(role=StaffMember.Role.HEAD, department_id=department)
        return self._heads[department]

    def supervisors(self) -> list:
        if self._supervisors is None:
            self._supervisors = self._staff(role=StaffMember.Role.SUPERVISOR)
        return self._supervisors

    def named(self, user_ids: tuple[int, ...]) -> list:
        missing = [pk for pk in user_ids if pk not in self._users]
        if missing:
            self._users.update((u.pk, u) for u in get_user_model().objects.filter(pk__in=missing, is_active=True))
        return [self._users[pk] for pk in user_ids if pk in self._users]

    def for_level(self, level: Level, department: str) -> list:
        users = {Who.DEPARTMENT_HEAD: self.heads(department), Who.SUPERVISORS: self.supervisors()}.get(level.who, [])
        return list({u.pk: u for u in [*users, *self.named(level.user_ids)]}.values())


def do_sweep_escalations(*, now: dt.datetime | None = None, batch: int = BATCH) -> EscalationSweepResult:
    """Start the chain of newly red tasks and reach every level now due. Safe to run on several
    workers at once (PostgreSQL), and twice in a row."""
    now = now or timezone.now()
    result, chains, calendar, recipients = EscalationSweepResult(), Chains.load(), get_calendar(), Recipients()
    result.started = _start_red_tasks(chains, calendar, batch)
    while _escalate_due(chains, calendar, recipients, now, batch, result) == batch:
        pass
    return result


def _start_red_tasks(chains: Chains, calendar: WorkCalendar, batch: int) -> int:
    """Give each red open task without a state its first due moment. Two sweeps may race here:
    the state's primary key is the task, and the loser's rows are ignored."""
    started = 0
    while True:
        rows = list(unstarted_red_tasks().values_list("pk", "department_id", "due_at")[:batch])
        states = []
        for pk, department, due_at in rows:
            first = chains.after(department, 0)
            next_at = calendar.add_working_hours(due_at, first.after_working_hours) if first else None
            states.append(
                EscalationState(work_item_id=pk, due_at=due_at, next_level=first and first.level, next_at=next_at)
            )
        EscalationState.objects.bulk_create(states, ignore_conflicts=True)
        started += len(states)
        if len(rows) < batch:
            return started


def unstarted_red_tasks():
    """Red open tasks without an escalation state: an anti-join on ``sla_workitem_red_open``."""
    return WorkItem.objects.filter(
        state=WorkItem.State.OPEN, light="red", due_at__isnull=False, escalation_state__isnull=True
    ).order_by("pk")


def due_states(now: dt.datetime):
    """States whose next level is due, the earliest first: the ``escalation_next_due`` index."""
    return EscalationState.objects.filter(next_at__lte=now).order_by("next_at")


def _escalate_due(chains, calendar, recipients, now, batch, result) -> int:
    """Claim one batch of due states and advance each; returns how many were claimed."""
    with transaction.atomic():
        states = list(
            due_states(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("work_item__case", "work_item__department")[:batch]
        )
        for state in states:
            try:
                with transaction.atomic():
                    _advance(state, chains, calendar, recipients, now, result)
            except Exception as error:  # one broken row must not block the sweep
                log.exception("escalation of work item %s failed", state.pk)
                result.failed += 1
                EscalationState.objects.filter(pk=state.pk).update(
                    last_error=f"{now.isoformat()}: {type(error).__name__}: {error}"[:2000], next_at=now + RETRY_AFTER
                )
    return len(states)


def _advance(
    state: EscalationState,
    chains: Chains,
    calendar: WorkCalendar,
    recipients: Recipients,
    now: dt.datetime,
    result: EscalationSweepResult,
) -> None:
    item = state.work_item
    if item.state != WorkItem.State.OPEN or item.due_at is None:
        state.next_level = state.next_at = None
        state.save(update_fields=["next_level", "next_at"])
        result.closed += 1
        return
    state.due_at = item.due_at  # a moved limit counts from the new due time
    while (target := chains.after(item.department_id, state.level)) is not None:
        target_at = calendar.add_working_hours(item.due_at, target.after_working_hours)
        if target_at > now:
            break
        if _reach(item, target, calendar, recipients, now, result):
            result.escalated += 1
        state.level = target.level
    state.next_level = target and target.level
    state.next_at = target_at if target else None
    state.last_error = ""
    state.save(update_fields=["due_at", "level", "next_level", "next_at", "last_error"])


def _reach(
    item: WorkItem,
    level: Level,
    calendar: WorkCalendar,
    recipients: Recipients,
    now: dt.datetime,
    result: EscalationSweepResult,
) -> bool:
    """Write the level's row, its event and its notifications; False if it was reached before."""
    overdue = round(max(calendar.working_hours_between(item.due_at, now), 0.0), 2)
    users = recipients.for_level(level, item.department_id)
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                work_item=item,
                case=item.case,
                level=level.level,
                step_id=level.step_id,
                who=level.who,
                reached_at=now,
                due_at=item.due_at,
                overdue_working_hours=overdue,
            )
    except IntegrityError:  # the unique (work_item, level) says another sweep got here first
        return False
    escalation.recipients.set(users)
    if not users:
        log.warning("escalation level %s of work item %s: nobody to notify (%s)", level.level, item.pk, level.who)
    events.write(
        [
            events.row(
                EVENT_KIND,
                case_id=item.case_id,
                version_id=item.version_id,
                at=now,
                activity=item.task_spec,
                activity_name=item.name,
                department=item.department_id,
                task_id=item.task_id,
                work_item=item.pk,
                data={
                    "level": level.level,
                    "who": level.who,
                    "recipients": [u.get_username() for u in users],
                    "due_at": item.due_at.isoformat(),
                    "overdue_working_hours": overdue,
                },
            )
        ]
    )
    data = escalation_data(item, level.level, overdue, calendar)
    with translation.override(settings.LANGUAGE_CODE):  # the stored words, the e-mail's and the SMS's
        title, body = escalation_notice(data)
    link = reverse("case_detail", args=[item.case.number])
    notices = do_notify(users, kind=Notification.Kind.ESCALATION, title=title, body=body, data=data, link=link, now=now)
    result.notified += len(notices)
    return True


def escalation_data(item: WorkItem, level: int, overdue_hours: float, calendar: WorkCalendar) -> dict:
    """The facts an escalation notice tells (sla.texts.escalation_notice says them in words)."""
    department = item.department
    return {
        "level": level,
        "case": item.case.number,
        "task": item.name,
        "department": department.name,
        "department_en": department.name_en,
        "due": item.due_at.astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M"),
        "overdue_hours": overdue_hours,
        "urges": item.urges,  # 催办: how often it was urged before it went up
    }
