"""Late (超期): the one rule for whether a task or a case is late, and what light it shows.

Every place that counts or shows lateness asks here: the step that closes a task or concludes a
case (it records the fact), the light sweep (it moves open rows' lights and starts escalation),
and every reader: the supervisor's dashboard and red list, their CSV, the reports, the worklists,
the case list and the API. So their counts agree with each other and with the rows, whether or
not a sweep has run since.

A task is late when it stayed open past its due moment: closed (completed or cancelled) after
it, or open now past it. A task's due moment never changes, so this reads straight from its row;
the step that closes it late also records by how many working hours (``late_working_hours``).

A case is late once its clock has run past its due moment. Its due moment moves when the clock
stops for a correction and starts again, so the first due moment it missed is kept in
``Case.breached_at``, written by whoever saw it first: the step (concluding, stopping or starting
the clock past the limit) or the sweep. A running case whose clock is past its due moment is late
now, even before anyone has written it down.

A moment is past its due moment when it is later: the office closes at 17:30 and work completed
at 17:30:00 is on time.
"""

from __future__ import annotations

import datetime as dt

from django.db import models as dm
from django.db.models import F, Q, Value, When
from django.db.models.functions import Coalesce

from .calendar import WorkCalendar
from .clock import Light, light_at

OPEN = "open"
RUNNING = "running"


def is_late(due_at: dt.datetime | None, moment: dt.datetime) -> bool:
    return due_at is not None and moment > due_at


def late_working_hours(due_at: dt.datetime, moment: dt.datetime, calendar: WorkCalendar) -> float:
    """Office hours from the due moment to ``moment`` (0.0 for an evening past the deadline)."""
    return round(max(calendar.working_hours_between(due_at, moment), 0.0), 2)


# One row in Python: what pages show for a row they already hold. ---------------------------------


def task_light(item, now: dt.datetime) -> str:
    """An open task's light now; a closed task's light when it was closed."""
    if item.state == OPEN and item.light == Light.PAUSED:  # its case is suspended (中止): the clock stands
        return Light.PAUSED
    moment = now if item.state == OPEN or item.completed_at is None else item.completed_at
    return light_at(moment, item.due_at, item.yellow_at)


def case_is_late(case, now: dt.datetime) -> bool:
    if case.breached_at is not None:
        return True
    return _case_clock_running(case) and is_late(case.due_at, now)


def case_light(case, now: dt.datetime) -> str:
    """A running case's light now (paused while its clock stands); a concluded case's final one."""
    if case.due_at is None and case.breached_at is None:
        return Light.NONE
    if case.concluded_at is not None or case.status != RUNNING:
        if case.breached_at is not None:
            return Light.RED
        return light_at(case.concluded_at or case.ended_at or now, case.due_at, case.yellow_at)
    if case.clock_running_since is None:
        return Light.PAUSED
    return Light.RED if case_is_late(case, now) else light_at(now, case.due_at, case.yellow_at)


def _case_clock_running(case) -> bool:
    return case.status == RUNNING and case.concluded_at is None and case.clock_running_since is not None


# The same rules in SQL: what lists filter and count by. --------------------------------------------


def open_late_tasks(now: dt.datetime) -> Q:
    """Open tasks past their due moment. Written as two arms so that each is served by a partial
    index: the ones the sweep has not turned red yet (``workitem_turns_red``) and the red ones
    (``sla_workitem_red_open``); a task with a due moment is always green, yellow or red, or
    paused while its case is suspended (not late then: its clock stands)."""
    return Q(state=OPEN) & (
        Q(light__in=[Light.GREEN, Light.YELLOW], due_at__lt=now) | Q(light=Light.RED, due_at__lt=now)
    )


def closed_late_tasks() -> Q:
    """Tasks closed after their due moment: the step that closed them recorded by how much
    (partial index ``workitem_closed_late``)."""
    return Q(late_working_hours__isnull=False)


def late_tasks(now: dt.datetime) -> Q:
    return open_late_tasks(now) | closed_late_tasks()


def task_light_sql(now: dt.datetime) -> dm.Case:
    """``task_light`` as an SQL expression (annotate, group by, filter)."""
    moment = dm.Case(
        When(state=OPEN, then=Value(now)), default=Coalesce("completed_at", Value(now)), output_field=dm.DateTimeField()
    )
    return dm.Case(
        When(state=OPEN, light=Light.PAUSED, then=Value(Light.PAUSED)),
        default=_light_sql(moment),
        output_field=dm.CharField(),
    )


def _light_sql(moment, due: str = "due_at", yellow: str = "yellow_at") -> dm.Case:
    return dm.Case(
        When(**{f"{due}__isnull": True}, then=Value(Light.NONE)),
        When(Q(**{f"{due}__lt": moment}), then=Value(Light.RED)),
        When(Q(**{f"{yellow}__isnull": False, f"{yellow}__lte": moment}), then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=dm.CharField(),
    )


def with_light(rows, now: dt.datetime):
    """Work items with ``light_now``, their light at ``now`` (filter on it, group by it)."""
    return rows.annotate(light_now=task_light_sql(now))


def running_late_cases(now: dt.datetime) -> Q:
    """Running cases whose clock is past its due moment now (the red list's cases). Two arms, for
    the partial indexes ``case_turns_red`` and ``sla_case_red_running``."""
    return Q(status=RUNNING, concluded_at__isnull=True, clock_running_since__isnull=False) & (
        Q(light__in=[Light.GREEN, Light.YELLOW], due_at__lt=now) | Q(light=Light.RED, due_at__lt=now)
    )


def late_cases(now: dt.datetime) -> Q:
    return Q(breached_at__isnull=False) | running_late_cases(now)


def case_breach_moment() -> Coalesce:
    """When a late case went over: the due moment it missed first."""
    return Coalesce("breached_at", "due_at")


def case_light_sql(now: dt.datetime) -> dm.Case:
    """``case_light`` as an SQL expression."""
    ended = Q(concluded_at__isnull=False) | ~Q(status=RUNNING)
    done = Coalesce("concluded_at", "ended_at", Value(now), output_field=dm.DateTimeField())
    return dm.Case(
        When(due_at__isnull=True, breached_at__isnull=True, then=Value(Light.NONE)),
        When(breached_at__isnull=False, then=Value(Light.RED)),
        When(ended & Q(due_at__lt=done), then=Value(Light.RED)),
        When(ended & Q(yellow_at__isnull=False, yellow_at__lte=done), then=Value(Light.YELLOW)),
        When(ended, then=Value(Light.GREEN)),
        When(clock_running_since__isnull=True, then=Value(Light.PAUSED)),
        default=_light_sql(Value(now)),
        output_field=dm.CharField(),
    )


def closed_light_sql(done: str, due: str = "due_at", yellow: str = "yellow_at") -> dm.Case:
    """The light a row had at the moment in its column ``done`` (the reports' lights at the result)."""
    return _light_sql(F(done), due, yellow)
