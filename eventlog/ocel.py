"""OCEL 2.0 in its JSON format (ocel-standard.org), streamed.

Objects: the case, each task (one work item: one round of a user task), the department, the
applicant, the enterprise and the licence. Every event is related to its case, applicant and
enterprise, and where it has them to its task, department and licence.

The events are written before the objects: a JSON object's keys have no order, and this way every
object an event names is certain to be written, even one committed while the export ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TextIO

from licences.models import Licence
from worklists.models import Department, WorkItem

from .activities import Catalogue
from .pseudonyms import Pseudonyms
from .scope import Scope
from .stream import CHUNK, LogEvent

STATIC = "1970-01-01T00:00:00Z"  # the OCEL 2.0 time of an attribute that never changed
EVENT_ATTRIBUTES = [("lifecycle", "string"), ("resource", "string"), ("outcome", "string"), ("kind", "string")]
OBJECT_TYPES = {
    "case": [
        ("process", "string"),
        ("version", "integer"),
        ("service_item", "string"),
        ("status", "string"),
        ("end", "string"),
        ("notify_commit", "boolean"),
        ("started_at", "time"),
    ],
    "task": [("name", "string"), ("task", "string"), ("outcome", "string")],
    "department": [("name", "string"), ("name_en", "string")],
    "applicant": [("name", "string")],  # clear-text exports only
    "enterprise": [("name", "string")],  # clear-text exports only
    "licence": [("kind", "string"), ("status", "string")],
}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _types(spec: dict) -> list[dict]:
    return [{"name": name, "attributes": [{"name": a, "type": t} for a, t in attrs]} for name, attrs in spec.items()]


def _attributes(pairs, *, static: bool = True) -> list[dict]:
    return [{"name": n, "value": v, **({"time": STATIC} if static else {})} for n, v in pairs if v not in ("", None)]


def _relations(pairs) -> list[dict]:
    return [{"objectId": o, "qualifier": q} for o, q in pairs if o]


def _event(e: LogEvent) -> dict:
    relations = [
        (f"case:{e.case.number}", "case"),
        (f"task:{e.work_item}" if e.work_item else "", "task"),
        (f"department:{e.department}" if e.department else "", "department"),
        (e.case.applicant, "applicant"),
        (e.case.enterprise, "enterprise"),
        (e.licence, "licence"),
    ]
    attributes = [("lifecycle", e.lifecycle), ("resource", e.resource), ("outcome", e.outcome), ("kind", e.kind)]
    return {
        "id": f"e{e.id}",
        "type": e.activity,
        "time": e.at.isoformat(),
        "attributes": _attributes(attributes, static=False),
        "relationships": _relations(relations),
    }


def _object(object_id: str, kind: str, attributes=(), relations=()) -> dict:
    return {
        "id": object_id,
        "type": kind,
        "attributes": _attributes(attributes),
        "relationships": _relations(relations),
    }


def _distinct(rows: Iterator, key) -> Iterator:
    """Rows sorted so that equal keys are adjacent, each key once: a DISTINCT without a set in memory."""
    last = None
    for row in rows:
        if (k := key(row)) != last:
            last = k
            yield row


class Objects:
    """Every object of the cases in scope, each read in chunks."""

    def __init__(self, scope: Scope, pseudonyms: Pseudonyms, catalogue: Catalogue):
        self.scope, self.p, self.catalogue = scope, pseudonyms, catalogue
        self.clear = not pseudonyms.enabled
        self.seen_departments: set[str] = set()  # a few dozen codes at most

    def cases(self) -> Iterator[dict]:
        rows = (
            self.scope.cases()
            .order_by("id")
            .values_list(
                "number",
                "version_id",
                "service_item__code",
                "status",
                "end_activity",
                "notify_commit",
                "started_at",
                "applicant_id_number",
                "applicant_name",
                "enterprise_uscc",
                "enterprise_name",
            )
        )
        for number, version_id, item, status, end, commit, started, id_number, name, uscc, enterprise in rows.iterator(
            CHUNK
        ):
            attributes = [
                ("process", self.catalogue.process(version_id)),
                ("version", self.catalogue.number(version_id)),
                ("service_item", item),
                ("status", status),
                ("end", end),
                ("notify_commit", commit),
                ("started_at", started.isoformat()),
            ]
            relations = [
                (self.p.applicant(id_number, name), "applicant"),
                (self.p.enterprise(uscc, enterprise), "enterprise"),
            ]
            yield _object(f"case:{number}", "case", attributes, relations)

    def applicants(self) -> Iterator[dict]:
        rows = (
            self.scope.cases()
            .exclude(applicant_id_number="", applicant_name="")
            .order_by("applicant_id_number", "applicant_name")
            .values_list("applicant_id_number", "applicant_name")
        )
        for id_number, name in _distinct(rows.distinct().iterator(CHUNK), key=lambda r: r[0] or r[1]):
            yield _object(self.p.applicant(id_number, name), "applicant", [("name", name)] if self.clear else [])

    def enterprises(self) -> Iterator[dict]:
        rows = (
            self.scope.cases()
            .exclude(enterprise_uscc="", enterprise_name="")
            .order_by("enterprise_uscc", "enterprise_name")
            .values_list("enterprise_uscc", "enterprise_name")
        )
        for uscc, name in _distinct(rows.distinct().iterator(CHUNK), key=lambda r: r[0] or r[1]):
            yield _object(self.p.enterprise(uscc, name), "enterprise", [("name", name)] if self.clear else [])

    def tasks(self) -> Iterator[dict]:
        rows = (
            WorkItem.objects.filter(self.scope.case_filter("case__"))
            .order_by("id")
            .values_list("id", "task_spec", "version_id", "department_id", "outcome", "case__number")
        )
        for pk, spec, version_id, department, outcome, number in rows.iterator(CHUNK):
            self.seen_departments.add(department)
            name = self.catalogue.task_name(version_id, spec)
            yield _object(
                f"task:{pk}",
                "task",
                [("name", name), ("task", spec), ("outcome", outcome)],
                [(f"case:{number}", "case"), (f"department:{department}", "department")],
            )

    def departments(self, codes: set[str]) -> Iterator[dict]:
        """Written last: the departments the events and the tasks named."""
        codes = codes | self.seen_departments
        known = {d.code: d for d in Department.objects.filter(code__in=codes)}
        for code in sorted(codes):
            d = known.get(code)
            yield _object(f"department:{code}", "department", [("name", d.name), ("name_en", d.name_en)] if d else [])

    def licences(self) -> Iterator[dict]:
        rows = (
            Licence.objects.filter(self.scope.case_filter("case__"))
            .order_by("id")
            .values_list("number", "kind", "status", "case__number", "case__enterprise_uscc", "case__enterprise_name")
        )
        for number, kind, status, case_number, uscc, name in rows.iterator(CHUNK):
            yield _object(
                self.p.licence(number),
                "licence",
                [("kind", kind), ("status", status)],
                [(f"case:{case_number}", "case"), (self.p.enterprise(uscc, name), "holder")],
            )


def _array(out: TextIO, records: Iterable[dict]) -> int:
    count = 0
    for record in records:
        out.write((",\n" if count else "") + _dumps(record))
        count += 1
    return count


def write(
    events: Iterable[LogEvent], out: TextIO, *, scope: Scope, pseudonyms: Pseudonyms, catalogue: Catalogue
) -> dict:
    """Write the log to ``out``; returns the number of events and objects."""
    event_types: set[str] = set()  # one per activity: bounded by the processes, not by the log
    departments: set[str] = set()

    def records():
        for event in events:
            event_types.add(event.activity)
            if event.department:
                departments.add(event.department)
            yield _event(event)

    out.write('{"objectTypes":' + _dumps(_types(OBJECT_TYPES)) + ',\n"events":[\n')
    written = _array(out, records())
    out.write('\n],\n"objects":[\n')
    objects = Objects(scope, pseudonyms, catalogue)
    # Generators run lazily: departments() starts after tasks() has named theirs.
    count = _array(
        out,
        chain(
            objects.cases(),
            objects.applicants(),
            objects.enterprises(),
            objects.tasks(),
            objects.licences(),
            objects.departments(departments),
        ),
    )
    types = {name: EVENT_ATTRIBUTES for name in sorted(event_types)}
    out.write('\n],\n"eventTypes":' + _dumps(_types(types)) + "\n}\n")
    return {"events": written, "objects": count}
