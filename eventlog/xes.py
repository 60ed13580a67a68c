"""XES (IEEE 1849-2016): one trace per case, written element by element as the events arrive."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import BinaryIO

from lxml import etree

from .stream import LogCase, LogEvent

NS = "http://www.xes-standard.org/"
EXTENSIONS = [
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
]


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


TAGS = {kind: _tag(kind) for kind in ("string", "date", "int", "boolean")}


class _Writer:
    """Every element through the xmlfile's own contexts: they know the namespace is declared once,
    on <log>, where a written Element would declare it again on each event."""

    def __init__(self, xf):
        self.xf = xf

    def element(self, tag: str, **attributes):
        return self.xf.element(_tag(tag), attributes)

    def empty(self, tag: str, **attributes) -> None:
        with self.element(tag, **attributes):
            pass

    def attribute(self, kind: str, key: str, value) -> None:
        with self.xf.element(TAGS[kind], {"key": key, "value": value}):  # the innermost loop: no detours
            pass

    def strings(self, pairs) -> None:
        for key, value in pairs:
            if value:
                self.attribute("string", key, value)

    def header(self, pseudonymised: bool) -> None:
        for name, prefix, uri in EXTENSIONS:
            self.empty("extension", name=name, prefix=prefix, uri=uri)
        with self.element("global", scope="trace"):
            self.attribute("string", "concept:name", "UNKNOWN")
        with self.element("global", scope="event"):
            self.attribute("string", "concept:name", "UNKNOWN")
            self.attribute("string", "lifecycle:transition", "complete")
            self.attribute("date", "time:timestamp", "1970-01-01T00:00:00+00:00")
        self.empty("classifier", name="Activity", keys="concept:name")
        self.empty("classifier", name="Activity and transition", keys="concept:name lifecycle:transition")
        self.attribute("string", "concept:name", "Binglian event log")
        self.attribute("boolean", "pseudonymised", "true" if pseudonymised else "false")

    def case(self, case: LogCase) -> None:
        self.strings([("concept:name", case.number), ("process", case.process)])
        self.attribute("int", "version", str(case.version))
        self.strings(
            [
                ("service_item", case.service_item),
                ("status", case.status),
                ("end", case.end),
                ("applicant", case.applicant),
                ("enterprise", case.enterprise),
                ("applicant_name", case.applicant_name),
                ("enterprise_name", case.enterprise_name),
            ]
        )
        self.attribute("boolean", "notify_commit", "true" if case.notify_commit else "false")

    def event(self, e: LogEvent) -> None:
        with self.element("event"):
            self.strings([("concept:name", e.activity), ("lifecycle:transition", e.lifecycle)])
            self.attribute("date", "time:timestamp", e.at.isoformat())
            self.strings(
                [
                    ("org:resource", e.resource),
                    ("org:group", e.department),
                    ("concept:instance", str(e.work_item) if e.work_item else ""),
                    ("task", e.task),
                    ("outcome", e.outcome),
                    ("licence", e.licence),
                    ("kind", e.kind),
                ]
            )


def write(events: Iterable[LogEvent], out: BinaryIO, *, pseudonymised: bool) -> int:
    """Write the log to ``out``; returns the number of traces."""
    traces = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        w = _Writer(xf)
        with xf.element(_tag("log"), {"xes.version": "1849-2016", "xes.features": ""}, nsmap={None: NS}):
            w.header(pseudonymised)
            # The stream is ordered by case: each group is one case's events, read lazily.
            for _, case_events in groupby(events, key=lambda e: e.case.number):
                with w.element("trace"):
                    for i, event in enumerate(case_events):
                        if i == 0:  # XES wants the trace's attributes before its events
                            w.case(event.case)
                        w.event(event)
                traces += 1
    return traces
