"""CSV: one row per event, the columns named as the XES attributes are (what pm4py and most
process mining tools expect), case attributes repeated on every row."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from .stream import LogEvent

COLUMNS = [
    "case:concept:name",
    "concept:name",
    "lifecycle:transition",
    "time:timestamp",
    "org:resource",
    "org:group",
    "concept:instance",
    "task",
    "outcome",
    "kind",
    "licence",
    "process",
    "version",
    "service_item",
    "applicant",
    "enterprise",
]
CLEAR_TEXT_COLUMNS = ["applicant_name", "enterprise_name"]


def columns(pseudonymised: bool) -> list[str]:
    return COLUMNS if pseudonymised else COLUMNS + CLEAR_TEXT_COLUMNS


def _row(e: LogEvent, clear_text: bool) -> list:
    c = e.case
    row = [
        c.number,
        e.activity,
        e.lifecycle,
        e.at.isoformat(),
        e.resource,
        e.department,
        e.work_item or "",
        e.task,
        e.outcome,
        e.kind,
        e.licence,
        c.process,
        c.version,
        c.service_item,
        c.applicant,
        c.enterprise,
    ]
    return row + [c.applicant_name, c.enterprise_name] if clear_text else row


def write(events: Iterable[LogEvent], out: TextIO, *, pseudonymised: bool) -> int:
    """Write the header and one row per event to ``out`` (opened with newline=""); returns the rows."""
    writer = csv.writer(out)
    writer.writerow(columns(pseudonymised))
    rows = 0
    for event in events:
        writer.writerow(_row(event, not pseudonymised))
        rows += 1
    return rows
