"""The clocks of a case and of its tasks, kept by each step (see sla.clock for the rules).

A task's clock: a department task that asked for correction and opens again after it gets the
working days it had left. A case's clock: stopped while any open task stops it (a correction
task, ``clock=paused``, or a special step, ``special_step=true``), resumed when none does.
"""

from __future__ import annotations

import datetime as dt

from sla.calendar_store import get_calendar
from sla.clock import Deadline, Light, Limit, deadline, light_at, limit_from_due_date, used_working_days
from worklists.models import WorkItem

from . import rows

PAUSING_OUTCOMES = ("correction",)


def task_limits(meta: dict) -> tuple[Limit, Limit]:
    """(promised, statutory) limits of a task, from its BPMN properties; Camunda's dueDate
    stands for the promised limit when the property is not set (sla.clock.limit_from_due_date)."""
    days, hours = meta.get("promised_limit_working_days"), meta.get("limit_working_hours")
    if days is None and hours is None and meta.get("due_date"):
        from_due_date = limit_from_due_date(meta["due_date"]) or Limit()
        days, hours = from_due_date.working_days, from_due_date.working_hours
    return Limit(working_days=days, working_hours=hours), Limit(working_days=meta.get("statutory_limit_working_days"))


def with_post_check_window(meta: dict, case) -> dict:
    """A post-check task (``post_check=true``) is due within the service item's post-check window,
    where the item sets one: the window is the department's, the BPMN's limit the default."""
    if str(meta.get("properties", {}).get("post_check", "")).lower() not in ("1", "true", "yes") or not case.service_item_id:
        return meta
    window = case.service_item.post_check_window_working_days
    if not window:
        return meta
    statutory = max(window, meta.get("statutory_limit_working_days") or 0)
    return {**meta, "promised_limit_working_days": window, "statutory_limit_working_days": statutory}


def days_used_before(case_id: int, task_specs: list[str], also: WorkItem | None = None) -> dict[str, int]:
    """Working days each task already used in earlier rounds that ended in a correction request.
    ``also``: the item the step itself completed, whose row may not be written yet."""
    calendar = get_calendar()
    used: dict[str, int] = {}
    items = rows.table(WorkItem)
    specs, outcomes = ", ".join(["%s"] * len(task_specs)), ", ".join(["%s"] * len(PAUSING_OUTCOMES))
    earlier = rows.fetch_all(
        f"SELECT task_spec, opened_at, completed_at FROM {items.name} WHERE case_id = %s AND task_spec IN ({specs}) "
        f"AND state = %s AND outcome IN ({outcomes}) AND id <> %s",
        [case_id, *task_specs, WorkItem.State.COMPLETED, *PAUSING_OUTCOMES, also.pk if also is not None else 0],
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
    return deadline(now, promised, calendar, used_days=used_days), deadline(now, statutory, calendar, used_days=used_days)


def case_limits(case) -> tuple[Limit, Limit]:
    item = case.service_item
    if item is None:
        return Limit(), Limit()
    return Limit(working_days=item.promised_limit_working_days), Limit(working_days=item.statutory_limit_working_days)


def start_case_clock(case, now: dt.datetime) -> None:
    """The clock starts at acceptance; the acceptance day itself is not counted."""
    case.clock_running_since = now
    _set_case_deadlines(case, now)


def _set_case_deadlines(case, now: dt.datetime) -> None:
    promised, statutory = case_limits(case)
    calendar = get_calendar()
    due = deadline(case.clock_running_since, promised, calendar, used_days=case.clock_used_working_days)
    case.due_at, case.yellow_at = due.due_at, due.yellow_at
    case.statutory_due_at = deadline(case.clock_running_since, statutory, calendar, used_days=case.clock_used_working_days).due_at
    case.light = due.light(now)


def update_case_clock(case, *, stopped: bool, now: dt.datetime) -> str | None:
    """Stop or resume the case clock; returns the event kind to log, or None if nothing changed."""
    running = case.clock_running_since is not None
    if stopped and running:
        case.clock_used_working_days += used_working_days(case.clock_running_since, now, get_calendar())
        case.clock_running_since = None
        case.light = Light.PAUSED
        return "clock_paused"
    if not stopped and not running:
        case.clock_running_since = now
        _set_case_deadlines(case, now)
        return "clock_resumed"
    return None


def final_case_light(case, ended_at: dt.datetime) -> str:
    """A finished case keeps the light it finished with: red if it ended late."""
    if case.due_at is None:
        return Light.NONE
    return Light.RED if light_at(ended_at, case.due_at, None) == Light.RED else Light.GREEN


def stops_case_clock(meta: dict) -> bool:
    props = meta.get("properties", {})
    return meta.get("special_step") or props.get("clock", "").lower() == "paused"
