"""The one writer of the event log: every row of it is made and inserted here.

A row is a dict of the Event's columns (``row``). Where it goes depends only on when:

- in a step (engine.stepping): ``Step.log`` collects rows and the step inserts them with its
  other writes (``insert``), in one round trip on PostgreSQL; a row that must not be written
  twice when another transaction may have written it (a task's breach, which the light sweep
  logs too) goes as ``insert_unless``;
- outside a step, in the caller's transaction (deploying a version, a claim on SQLite, an
  escalation level, a licence issued by hand): ``write``, or ``record_event`` for one row;
- from a set-based statement that changes many rows at once (the light sweep and the one-statement
  claim on PostgreSQL): ``insert_from`` puts its rows in with the same columns, in the same
  statement.

Whichever way, a row has the same columns with the same meaning, and the tests of the log (the
SQLite pass included) read what each way wrote.
"""

from __future__ import annotations

from django.utils import timezone

from . import rows
from .models import Event

_EVENTS = rows.table(Event)
# The columns the set-based statements fill, in this order (``insert_from``).
COLUMNS = ("case_id", "version_id", "kind", "at", "activity", "activity_name", "department", "actor_id", "task_id",
           "work_item", "outcome", "data")  # fmt: skip


def row(kind: str, *, case_id, version_id, at=None, actor=None, **fields) -> dict:
    """One row of the log, by column: the moment defaults to now, the actor to nobody."""
    return {"kind": kind, "case_id": case_id, "version_id": version_id, "at": at or timezone.now(),
            "actor_id": getattr(actor, "pk", None), **fields}  # fmt: skip


def insert(values: list[dict]) -> tuple[str, list]:
    """The INSERT of ``values`` (rows), for a step's writes."""
    return _EVENTS.insert_values(values)


def insert_unless(value: dict, exists: tuple[str, list]) -> tuple[str, list]:
    """The INSERT of one row unless ``exists`` finds a row when the statement runs."""
    return _EVENTS.insert_unless(value, exists)


def write(values: list[dict]) -> None:
    """Insert rows now, in the caller's transaction."""
    if values:
        rows.execute(*insert(values))


def record_event(kind: str, *, case=None, version=None, actor=None, at=None, **fields) -> None:
    """One row now, for a case (its version unless given) or a version alone."""
    version_id = version.pk if version is not None else (case.version_id if case is not None else None)
    write([row(kind, case_id=getattr(case, "pk", None), version_id=version_id, at=at, actor=actor, **fields)])


def insert_from(select_sql: str) -> str:
    """``INSERT INTO the log (COLUMNS) <select_sql>``: the select gives the columns in COLUMNS' order."""
    return f"INSERT INTO {_EVENTS.name} ({', '.join(COLUMNS)}) {select_sql}"
