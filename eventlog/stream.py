"""The events of an export, case by case and in time order, read in chunks: memory stays the same
whether the log holds a thousand events or a hundred million.

Every format writes from this one stream, so XES, OCEL and CSV always agree on what happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models.fields.json import KT

from .activities import Catalogue
from .pseudonyms import Pseudonyms
from .scope import TASK_TRANSITIONS, Scope

CHUNK = 2000
COLUMNS = (
    "id",
    "case_id",
    "kind",
    "at",
    "activity",
    "activity_name",
    "department",
    "actor__username",
    "work_item",
    "outcome",
    "licence_number",
    "version_id",
    "case__number",
    "case__version_id",
    "case__service_item__code",
    "case__status",
    "case__end_activity",
    "case__notify_commit",
    "case__applicant_id_number",
    "case__applicant_name",
    "case__enterprise_uscc",
    "case__enterprise_name",
)


@dataclass(slots=True)
class LogCase:
    number: str
    process: str
    version: int
    service_item: str
    status: str
    end: str
    notify_commit: bool
    applicant: str  # a pseudonym, or "applicant:<resident ID>" in clear text
    enterprise: str
    applicant_name: str  # clear text only
    enterprise_name: str


@dataclass(slots=True)
class LogEvent:
    id: int
    case: LogCase
    activity: str
    lifecycle: str
    at: dt.datetime
    resource: str
    department: str
    task: str  # the user task's BPMN id; "" for other events
    work_item: int | None
    outcome: str
    kind: str
    licence: str


class Lifecycle:
    """The XES transition of a task event; knows which tasks of the current case were released."""

    def __init__(self):
        self.released: set[int] = set()

    def new_case(self) -> None:
        self.released.clear()

    def transition(self, kind: str, work_item: int | None) -> str:
        if kind not in TASK_TRANSITIONS:
            return "complete"  # an instant event: XES reads it as done when it happens
        if kind == "task_unclaimed":
            self.released.add(work_item)
        elif kind == "task_claimed" and work_item in self.released:
            self.released.discard(work_item)
            return "resume"
        return TASK_TRANSITIONS[kind]


def read_events(scope: Scope, pseudonyms: Pseudonyms, catalogue: Catalogue | None = None) -> Iterator[LogEvent]:
    catalogue = catalogue or Catalogue()
    rows = (
        scope.events()
        .annotate(licence_number=KT("data__licence"))
        .order_by("case_id", "at", "id")
        .values_list(*COLUMNS)
        .iterator(chunk_size=CHUNK)
    )
    lifecycle, case, case_id = Lifecycle(), None, None
    for row in rows:
        (
            event_id,
            row_case_id,
            kind,
            at,
            activity,
            activity_name,
            department,
            username,
            work_item,
            outcome,
            licence,
            event_version_id,
            *case_columns,
        ) = row
        if row_case_id != case_id:
            case_id, case = row_case_id, _log_case(case_columns, catalogue, pseudonyms)
            lifecycle.new_case()
        # The version the event happened in: a case moved to a newer version keeps its history.
        version_id = event_version_id or case_columns[1]
        is_task_event = kind in TASK_TRANSITIONS
        name, task = catalogue.activity(version_id, kind, activity, activity_name, task_event=is_task_event)
        # Who opened or cancelled a task is whoever moved the process on: not a resource of the task.
        resource = pseudonyms.staff(username) if kind not in ("task_opened", "task_cancelled") else ""
        yield LogEvent(
            id=event_id,
            case=case,
            activity=name,
            lifecycle=lifecycle.transition(kind, work_item),
            at=at,
            resource=resource,
            department=department,
            task=task,
            work_item=work_item,
            outcome=outcome,
            kind=kind,
            licence=pseudonyms.licence(licence) if licence else "",
        )


def _log_case(columns, catalogue: Catalogue, pseudonyms: Pseudonyms) -> LogCase:
    number, version_id, item, status, end, commit, id_number, applicant_name, uscc, enterprise_name = columns
    clear = not pseudonyms.enabled
    return LogCase(
        number=number,
        process=catalogue.process(version_id),
        version=catalogue.number(version_id),
        service_item=item or "",
        status=status,
        end=end,
        notify_commit=commit,
        applicant=pseudonyms.applicant(id_number, applicant_name),
        enterprise=pseudonyms.enterprise(uscc, enterprise_name),
        applicant_name=applicant_name if clear else "",
        enterprise_name=enterprise_name if clear else "",
    )
