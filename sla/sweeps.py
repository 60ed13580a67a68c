"""The light sweep: set-based, so its cost follows the rows that change, not the open ones.

Each statement reads a partial index of the items or cases that can still change colour
(``workitem_turns_red``, ``workitem_turns_yellow``, ``case_turns_red``, ``case_turns_yellow``)
up to ``now``. A breach (red) writes its event-log row from the same UPDATE ... RETURNING, so the
log and the light never disagree, and a second sweep finds nothing left to do.

The sweep is not what makes a breach count: the step that closes a task or concludes a case
late records it itself (engine.clocks), and every page counts from the rows (workdays.lateness). The
sweep moves the lights of what is still open, logs the breaches of open rows, and so starts
escalation. Whoever logs a breach first logs it; the other finds it logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from engine import events
from engine.models import Case, Event
from workdays.clock import Light
from worklists.models import WorkItem

WORKITEM = WorkItem._meta.db_table
CASE = Case._meta.db_table


@dataclass
class SweepResult:
    tasks_red: int = 0
    tasks_yellow: int = 0
    cases_red: int = 0
    cases_yellow: int = 0

    def __str__(self):
        return f"tasks red {self.tasks_red}, yellow {self.tasks_yellow}; cases red {self.cases_red}, yellow {self.cases_yellow}"


def _update_returning(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _breach_rows(changed, kind: str, now: dt.datetime, task: bool) -> list[dict]:
    """The event-log rows of the breaches an UPDATE ... RETURNING gave back (SQLite)."""
    out = []
    for values in changed:
        if task:
            item_id, case_id, version_id, task_spec, name, department, task_id, due_at = values
            fields = dict(
                activity=task_spec, activity_name=name, department=department, task_id=task_id, work_item=item_id
            )
        else:
            (case_id, version_id, due_at), fields = values, {}
        data = {"due_at": _iso(due_at), "recorded_by": "sweep"}
        out.append(events.row(kind, case_id=case_id, version_id=version_id, at=now, data=data, **fields))
    return out


def _log(breaches: list[dict]) -> None:
    for start in range(0, len(breaches), 500):  # well within SQLite's limit on one statement's parameters
        events.write(breaches[start : start + 500])


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns text from RETURNING
        return value
    return value.isoformat()


# The words of the rows, from their models (never copied): states, lights, the breach events.
OPEN, RUNNING = WorkItem.State.OPEN.value, Case.Status.RUNNING.value
RED, YELLOW, GREEN = Light.RED, Light.YELLOW, Light.GREEN
TASK_OVERDUE, CASE_OVERDUE = Event.Kind.TASK_OVERDUE.value, Event.Kind.CASE_OVERDUE.value

# Past the due moment means later than it (workdays.lateness): work done at 17:30:00 is on time.
_RED_TASKS = (
    f"UPDATE {WORKITEM} SET light = '{RED}' WHERE state = '{OPEN}' AND light IN ('{GREEN}', '{YELLOW}') AND due_at < %s "
    f"RETURNING id, case_id, version_id, task_spec, name, department_id, task_id, due_at"
)
_LATE_CASES = f"status = '{RUNNING}' AND concluded_at IS NULL AND light IN ('{GREEN}', '{YELLOW}') AND due_at < %s"
# A case's first breach: recorded on the row (the due moment it missed) and logged once.
_RED_CASES = (
    f"UPDATE {CASE} SET light = '{RED}', breached_at = due_at WHERE {_LATE_CASES} AND breached_at IS NULL "
    f"RETURNING id, version_id, due_at"
)
# A case late before, whose clock stopped for a correction and started again with no time left:
# red again, but the same breach, not a second one.
_RED_AGAIN_CASES = f"UPDATE {CASE} SET light = '{RED}' WHERE {_LATE_CASES} AND breached_at IS NOT NULL"
# On PostgreSQL the breach rows are written by the same statement that turns the lights red
# (a data-modifying CTE), so no row travels to Python and back; the rows are engine.events' own.
_DUE_AT_JSON = "jsonb_build_object('due_at', to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"'), 'recorded_by', 'sweep')"
_PG_RED_TASKS = f"WITH changed AS ({_RED_TASKS}) " + events.insert_from(
    f"SELECT case_id, version_id, '{TASK_OVERDUE}', %s, task_spec, name, department_id, NULL, task_id, id, '', {_DUE_AT_JSON} "
    "FROM changed"
)
_PG_RED_CASES = f"WITH changed AS ({_RED_CASES}) " + events.insert_from(
    f"SELECT id, version_id, '{CASE_OVERDUE}', %s, '', '', '', NULL, NULL, NULL, '', {_DUE_AT_JSON} FROM changed"
)


def do_sweep_lights(*, now: dt.datetime | None = None) -> SweepResult:
    """Turn due cases and items red (logging each first breach) and nearly-due ones yellow.

    Cases first, then items, each in a short transaction of its own: a step locks its case row
    before it touches the case's items, and a sweep that took the rows the other way round
    would deadlock with it."""
    # UTC always: SQLite compares stored datetimes as text, so a Beijing-time "now" would be wrong.
    now = (now or timezone.now()).astimezone(dt.UTC)
    result = SweepResult()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        result.cases_red = _update_count(_RED_AGAIN_CASES, [now])
        if postgres:
            result.cases_red += _update_count(_PG_RED_CASES, [now, now])
        else:
            red_cases = _update_returning(_RED_CASES, [now])
            _log(_breach_rows(red_cases, Event.Kind.CASE_OVERDUE, now, task=False))
            result.cases_red += len(red_cases)
    with transaction.atomic():
        result.cases_yellow = _update_count(
            f"UPDATE {CASE} SET light = '{YELLOW}' WHERE status = '{RUNNING}' AND concluded_at IS NULL AND light = '{GREEN}' "
            "AND yellow_at <= %s",
            [now],
        )
    with transaction.atomic():
        if postgres:
            result.tasks_red = _update_count(_PG_RED_TASKS, [now, now])
        else:
            red_tasks = _update_returning(_RED_TASKS, [now])
            _log(_breach_rows(red_tasks, Event.Kind.TASK_OVERDUE, now, task=True))
            result.tasks_red = len(red_tasks)
    with transaction.atomic():
        result.tasks_yellow = _update_count(
            f"UPDATE {WORKITEM} SET light = '{YELLOW}' WHERE state = '{OPEN}' AND light = '{GREEN}' AND yellow_at <= %s",
            [now],
        )
    return result


def _update_count(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
