"""The clocks of a case and of its tasks, kept by each step (see workdays.clock for the rules).

A task's clock: a department task that asked for correction and opens again after it gets the
working days it had left. A case's clock: stopped while any open task stops it (a correction
task, ``clock=paused``, or a special step, ``special_step=true``), resumed when none does.

A breach (超期) is a fact of the step that sees it: a task closed after its due moment, a case
concluded or stopped after its due moment, a task or case that opens already past it. The step
records it on the row and in the event log in its own transaction, whatever the light sweep
did; the sweep records the breaches of rows still open. Each is logged once (workdays.lateness).
"""

from __future__ import annotations

import datetime as dt

from workdays.calendar_store import get_calendar
from workdays.clock import Deadline, Light, Limit, deadline, limit_from_due_date, used_working_days
from workdays.lateness import is_late, late_working_hours
from worklists.models import WorkItem

from . import events, rows
from .decisions import CORRECTION
from .models import Event

PAUSING_OUTCOMES = (CORRECTION,)  # the applicant's turn: the clock stops until the material comes


def task_limits(meta: dict) -> tuple[Limit, Limit]:
    """(promised, statutory) limits of a task, from its BPMN properties; Camunda's dueDate
    stands for the promised limit when the property is not set (workdays.clock.limit_from_due_date)."""
    days, hours = meta.get("promised_limit_working_days"), meta.get("limit_working_hours")
    if days is None and hours is None and meta.get("due_date"):
        from_due_date = limit_from_due_date(meta["due_date"]) or Limit()
        days, hours = from_due_date.working_days, from_due_date.working_hours
    return Limit(working_days=days, working_hours=hours), Limit(working_days=meta.get("statutory_limit_working_days"))


def with_post_check_window(meta: dict, case) -> dict:
    """A post-check task (``post_check=true``) is due within the service item's post-check window,
    where the item sets one: the window is the department's, the BPMN's limit the default."""
    if (
        str(meta.get("properties", {}).get("post_check", "")).lower() not in ("1", "true", "yes")
        or not case.service_item_id
    ):
        return meta
    window = case.service_item.post_check_window_working_days
    if not window:
        return meta
    statutory = max(window, meta.get("statutory_limit_working_days") or 0)
    return {**meta, "promised_limit_working_days": window, "statutory_limit_working_days": statutory}


def days_used_before(case_id: int, task_specs: list[str], also: WorkItem | None = None) -> dict[str, int]:
    """Working days each task already used in earlier rounds that ended in a correction request
    or that its clerk took back (withdrawn: the clerk's own time runs on). ``also``: the item the
    step itself completed, whose row may not be written yet."""
    calendar = get_calendar()
    used: dict[str, int] = {}
    items = rows.table(WorkItem)
    specs, outcomes = ", ".join(["%s"] * len(task_specs)), ", ".join(["%s"] * len(PAUSING_OUTCOMES))
    earlier = rows.fetch_all(
        f"SELECT task_spec, opened_at, completed_at FROM {items.name} WHERE case_id = %s AND task_spec IN ({specs}) "
        f"AND ((state = %s AND outcome IN ({outcomes})) OR state = %s) AND id <> %s",
        [
            case_id,
            *task_specs,
            WorkItem.State.COMPLETED,
            *PAUSING_OUTCOMES,
            WorkItem.State.WITHDRAWN,
            also.pk if also is not None else 0,
        ],
    )
    rounds = [items.converted(row, ["task_spec", "opened_at", "completed_at"]) for row in earlier]
    if also is not None and also.task_spec in task_specs and also.outcome in PAUSING_OUTCOMES:
        rounds.append((also.task_spec, also.opened_at, also.completed_at))
    for spec, opened, completed in rounds:
        used[spec] = used.get(spec, 0) + used_working_days(opened, completed, calendar)
    return used


def task_deadlines(meta: dict, now: dt.datetime, used_days: int = 0) -> tuple[Deadline, Deadline]:
    """(promised, statutory) deadlines of a task opening now, less the days used before."""
    promised, statutory = task_limits(meta)
    if not (promised.is_set or statutory.is_set):
        return Deadline(None, None), Deadline(None, None)
    calendar = get_calendar()
    return deadline(now, promised, calendar, used_days=used_days), deadline(
        now, statutory, calendar, used_days=used_days
    )


def case_limits(case) -> tuple[Limit, Limit]:
    """The service item's limits, longer by the extensions approved (延期, sla.extensions)."""
    item = case.service_item
    if item is None:
        return Limit(), Limit()
    extra = case.extended_working_days or 0
    return (
        Limit(working_days=item.promised_limit_working_days + extra),
        Limit(working_days=item.statutory_limit_working_days + extra),
    )


def extend_case_clock(case, now: dt.datetime) -> None:
    """After an extension: the deadlines again from the longer limits, if the clock runs (a stopped
    clock gets them when it resumes)."""
    if case.clock_running_since is not None and case.concluded_at is None:
        _set_case_deadlines(case, now)


def start_case_clock(case, now: dt.datetime) -> None:
    """The clock starts at acceptance; the acceptance day itself is not counted."""
    case.clock_running_since = now
    _set_case_deadlines(case, now)


def _set_case_deadlines(case, now: dt.datetime) -> None:
    promised, statutory = case_limits(case)
    calendar = get_calendar()
    due = deadline(case.clock_running_since, promised, calendar, used_days=case.clock_used_working_days)
    case.due_at, case.yellow_at = due.due_at, due.yellow_at
    case.statutory_due_at = deadline(
        case.clock_running_since, statutory, calendar, used_days=case.clock_used_working_days
    ).due_at
    case.light = due.light(now)


def update_case_clock(step, *, stopped: bool, now: dt.datetime) -> str | None:
    """Stop or resume the case clock; returns the event kind to log, or None if nothing changed."""
    case = step.case
    running = case.clock_running_since is not None
    if stopped and running:
        case_past_due(step, now, clock_stops=True)
        case.clock_used_working_days += used_working_days(case.clock_running_since, now, get_calendar())
        case.clock_running_since = None
        case.light = Light.PAUSED
        return "clock_paused"
    if not stopped and not running:
        case.clock_running_since = now
        _set_case_deadlines(case, now)
        case_past_due(step, now, clock_stops=False)  # resumed with no time left, after close of office
        return "clock_resumed"
    return None


def final_case_light(case, ended_at: dt.datetime) -> str:
    """A finished case keeps the light it finished with: red if it was ever late."""
    if case.breached_at is not None or is_late(case.due_at, ended_at):
        return Light.RED
    return Light.NONE if case.due_at is None else Light.GREEN


# Breaches ------------------------------------------------------------------------------------


_ITEMS = rows.table(WorkItem)


def close_task_clock(step, item: WorkItem, closed_at: dt.datetime, fields: list[str]) -> bool:
    """A task closes (completed, or cancelled by the process): its row's ``fields`` are written,
    and past its due moment also the office hours it ran over, and its breach is logged unless the
    light sweep logged it while it was open. Returns whether it was late."""
    late = is_late(item.due_at, closed_at)
    if late:
        item.late_working_hours = late_working_hours(item.due_at, closed_at, get_calendar())
        fields = [*fields, "late_working_hours"]
    if fields:
        step.writes.add(_ITEMS.update(item, fields))
    if late:
        log_task_breach(step, item, data={"late_working_hours": item.late_working_hours})
    return late


def log_task_breach(step, item: WorkItem, data: dict | None = None, *, new: bool = False) -> None:
    """The task's breach in the event log, once. The sweep does not lock the case, so a sweep may
    turn the item red while this step runs: the insert is guarded by the log itself, and it runs
    after the step's UPDATE of the item, which waits for such a sweep to commit. A ``new`` item,
    opened by this step, has nothing logged yet."""
    fields = {
        "activity": item.task_spec,
        "activity_name": item.name,
        "department": item.department_id,
        "task_id": item.task_id,
        "work_item": item.pk,
        "data": {"due_at": item.due_at.isoformat(), "recorded_by": "step", **(data or {})},
    }
    if new:
        step.log(Event.Kind.TASK_OVERDUE, **fields)
        return
    value = events.row(Event.Kind.TASK_OVERDUE, case_id=step.case.pk, version_id=step.version.pk, at=step.now,
                       actor=step.actor, **fields)  # fmt: skip
    logged = (
        f"SELECT 1 FROM {Event._meta.db_table} WHERE case_id = %s AND work_item = %s AND kind = %s",
        [step.case.pk, item.pk, Event.Kind.TASK_OVERDUE],
    )
    step.writes.add(events.insert_unless(value, logged))


def case_past_due(step, moment: dt.datetime, *, clock_stops: bool) -> None:
    """The case clock is read at ``moment``: on starting or resuming, on stopping for a correction,
    on concluding (``clock_stops``). Past its due moment, the first breach is recorded and logged
    (the case row is locked, so the sweep, which turns cases red under the same lock, has either
    done it already or will find it done); a stopping clock adds the office hours it ran over."""
    case = step.case
    if not is_late(case.due_at, moment):
        return
    if case.breached_at is None:
        case.breached_at = case.due_at
        step.log(Event.Kind.CASE_OVERDUE, data={"due_at": case.due_at.isoformat(), "recorded_by": "step"})
    if clock_stops:
        case.late_working_hours = round(
            (case.late_working_hours or 0.0) + late_working_hours(case.due_at, moment, get_calendar()), 2
        )


def stops_case_clock(meta: dict) -> bool:
    props = meta.get("properties", {})
    return meta.get("special_step") or props.get("clock", "").lower() == "paused"
