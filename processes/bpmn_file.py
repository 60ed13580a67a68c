"""Reading a BPMN file: the only place that turns untrusted bytes into an XML tree.

A BPMN file comes from a designer's machine or an upload, so it is treated as hostile: the size
is capped before parsing, any DOCTYPE is refused by defusedxml (which stops billion-laughs
entity expansion and external entities such as ``file:///etc/passwd`` before they are read),
and the tree itself is built by lxml with entity resolution, DTD loading and network access off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, reported as ``FILE:LINE: message``.

    ``element`` is the id of the BPMN element the problem concerns, where known: the designer's
    modeler marks that element on the diagram. The one-line text does not show it.
    """

    line: int | None
    message: str
    element: str | None = None

    def format(self, filename: str) -> str:
        # One line per problem, whatever the file put in a name: a name may hold line breaks.
        return f"{filename}:{self.line or 1}: {' '.join(self.message.split())}"


class BpmnFileError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class BpmnFile:
    filename: str
    data: bytes
    root: etree._Element
    sha256: str = ""
    dialect: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _doctype_line(data: bytes) -> int:
    index = data.find(b"<!DOCTYPE")
    return data.count(b"\n", 0, index) + 1 if index >= 0 else 1


def parse_untrusted_xml(data: bytes, kind: str = "BPMN") -> etree._Element:
    """Parse a designer's file (BPMN or DMN) safely: size cap, no DOCTYPE, no entities, no network.
    Raises BpmnFileError with the line of what is wrong."""
    limit = settings.BPMN_MAX_BYTES
    if len(data) > limit:
        raise BpmnFileError(
            [
                Problem(
                    1,
                    _("file is %(size).1f MB; the limit is %(limit).1f MB")
                    % {"size": len(data) / 1048576, "limit": limit / 1048576},
                )
            ]
        )
    try:
        # defusedxml only checks here; lxml builds the tree we use, with line numbers.
        safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BpmnFileError(
            [
                Problem(
                    _doctype_line(data),
                    _(
                        "DOCTYPE declarations are not allowed in %(kind)s files (entity expansion and external "
                        "references are refused)"
                    )
                    % {"kind": kind},
                )
            ]
        ) from None
    except safe_et.ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else 1
        raise BpmnFileError([Problem(line, _("malformed XML: %(error)s") % {"error": error})]) from None
    try:
        return etree.fromstring(data, parser=_hardened_parser())
    except etree.XMLSyntaxError as error:
        raise BpmnFileError([Problem(error.lineno, _("malformed XML: %(error)s") % {"error": error.msg})]) from None


def read_bpmn(data: bytes, filename: str) -> BpmnFile:
    """Parse bytes into a BpmnFile, or raise BpmnFileError with the reasons it cannot be read."""
    root = parse_untrusted_xml(data)
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise BpmnFileError(
            [Problem(root.sourceline, _("not a BPMN 2.0 file: the root element must be bpmn:definitions"))]
        )
    return BpmnFile(
        filename=filename,
        data=data,
        root=root,
        sha256=hashlib.sha256(data).hexdigest(),
        dialect=detect_dialect(root),
    )


def detect_dialect(root: etree._Element) -> str:
    """Which SpiffWorkflow parser reads this file: SpiffArena's extensions win, then Camunda's."""

    def uses(namespace: str) -> bool:
        prefix = f"{{{namespace}}}"
        return any(
            isinstance(e.tag, str) and (e.tag.startswith(prefix) or any(k.startswith(prefix) for k in e.attrib))
            for e in root.iter()
        )

    if uses(SPIFF_NS):
        return "spiff"
    if uses(CAMUNDA_NS):
        return "camunda"
    return "spiff"


def local(tag) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def bpmn(element: etree._Element, path: str) -> list[etree._Element]:
    return element.xpath(path, namespaces=NSMAP)


def extension_properties(element: etree._Element) -> dict[str, str]:
    """``camunda:property`` and ``spiffworkflow:property`` pairs; both tools write them."""
    found = {}
    for prop in bpmn(element, "bpmn:extensionElements/camunda:properties/camunda:property"):
        found[prop.get("name", "")] = prop.get("value", "")
    for prop in bpmn(element, "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"):
        found[prop.get("name", "")] = prop.get("value", "")
    return found


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """The processes to run: those not marked ``isExecutable="false"``. An unmarked one runs, as in
    Flowable and Activiti, whose files mostly leave it out; a process with no flow node (the
    other side's empty pool on a collaboration diagram) has nothing to run."""
    return [
        p
        for p in bpmn(root, "bpmn:process")
        if p.get("isExecutable", "true").strip().lower() != "false" and _has_flow_nodes(p)
    ]


def _has_flow_nodes(process: etree._Element) -> bool:
    return any(isinstance(child.tag, str) and local(child.tag) not in _NOT_FLOW_NODES for child in process)


# What a process may hold besides its flow: none of it runs.
_NOT_FLOW_NODES = {
    "documentation",
    "extensionElements",
    "laneSet",
    "property",
    "ioSpecification",
    "textAnnotation",
    "association",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "group",
    "category",
}
