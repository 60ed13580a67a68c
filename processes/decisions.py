"""DMN decision tables: read safely, checked, deployed as versions, decided with the safe evaluator.

A DMN file is untrusted input like a BPMN file: it is read with entities, DTDs and the network
refused, and every cell (input expressions, input entries, output entries) is checked by the
safe evaluator at deploy time and run only through it (engine.script_engine). SpiffWorkflow's
DMN parser and engine give the table its meaning (hit policies, ``-`` for any value, ``?`` for
the input in an entry), so a table from Camunda Modeler or SpiffArena means the same here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.evaluator import ExpressionError, check_expression, evaluate
from engine.script_engine import SafeScriptEngine

from .bpmn_file import BpmnFileError, Problem, parse_untrusted_xml
from .models import DecisionVersion
from .names import in_language

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",  # DMN 1.3 (Camunda Modeler 4+)
    "http://www.omg.org/spec/DMN/20180521/MODEL/",  # DMN 1.2
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",  # DMN 1.1
)
# FIRST: the first matching row, top to bottom (DMNEngine returns rules in order); UNIQUE is taken
# the same way; COLLECT gives a list per output.
HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")
# DMNEngine's own rewrite of '?' (the input) in an entry, outside quotes.
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


@dataclass
class DecisionFile:
    filename: str
    data: bytes
    root: etree._Element
    sha256: str
    decision: object  # SpiffWorkflow.dmn.specs.model.Decision

    @property
    def key(self) -> str:
        return self.decision.id

    @property
    def table(self):
        return self.decision.decisionTables[0]


def read_decision(data: bytes, filename: str) -> DecisionFile:
    """Parse and check a DMN file; raise BpmnFileError with every problem found."""
    root = parse_untrusted_xml(data, "DMN")
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "definitions" or namespace not in DMN_NAMESPACES:
        raise BpmnFileError(
            [Problem(root.sourceline, _("not a DMN file: the root element must be dmn:definitions (DMN 1.1 to 1.3)"))]
        )
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1 or decisions[0].find(f"{{{namespace}}}decisionTable") is None:
        raise BpmnFileError(
            [Problem(root.sourceline, _("a DMN file here holds exactly one decision with one decision table"))]
        )
    try:
        parser = DMNParser(None, root, {"dmn": namespace}, filename=filename)
        parser.parse()
    except ValidationException as error:
        line = int(error.line_number) if str(error.line_number).isdigit() else root.sourceline
        raise BpmnFileError([Problem(line, _("DMN: %(error)s") % {"error": error})]) from None
    except (SpiffWorkflowException, KeyError, IndexError) as error:
        raise BpmnFileError(
            [
                Problem(
                    root.sourceline, _("DMN cannot be read: %(error)s") % {"error": f"{type(error).__name__}: {error}"}
                )
            ]
        ) from None
    file = DecisionFile(filename, data, root, hashlib.sha256(data).hexdigest(), parser.decision)
    problems = []
    if file.table.hit_policy not in HIT_POLICIES:
        problems.append(
            Problem(
                lines_of(root).get(file.table.id, 1),
                _("hit policy %(policy)s is not supported (use one of: %(policies)s)")
                % {"policy": file.table.hit_policy, "policies": ", ".join(HIT_POLICIES)},
            )
        )
    problems += cell_problems(file)
    if problems:
        raise BpmnFileError(problems)
    return file


def lines_of(root: etree._Element) -> dict[str, int]:
    return {element.get("id"): element.sourceline for element in root.iter() if isinstance(element.tag, str)}


def cell_problems(file: DecisionFile) -> list[Problem]:
    """Every expression in the table, checked the way DMNEngine will run it."""
    lines = lines_of(file.root)
    problems = []

    def check(text: str, where: str, element_id: str) -> None:
        try:
            check_expression(text)
        except ExpressionError as error:
            problems.append(
                Problem(
                    lines.get(element_id, 1),
                    _("%(where)s: %(error)s: %(text)s")
                    % {"where": where, "error": error.message, "text": " ".join(text.split())[:80]},
                    element_id,
                )
            )

    table = file.table
    for column in table.inputs:
        if not column.expression:
            problems.append(
                Problem(
                    lines.get(column.id, 1),
                    _("input '%(input)s' has no input expression") % {"input": in_language(column.label or column.id)},
                    column.id,
                )
            )
        else:
            where = _("input expression of '%(input)s'") % {"input": in_language(column.label or column.id)}
            check(column.expression, where, column.id)
    for rule in table.rules:
        for entry in rule.inputEntries:
            for text in entry.lhs:
                if text is None or not entry.input.expression:
                    continue
                if _QUESTION_MARK.search(text):
                    check(_QUESTION_MARK.sub("dmninputexpr", text), _rule(rule), entry.id)
                else:
                    check(f"({entry.input.expression}) == ({text})", _rule(rule), entry.id)
        for entry in rule.outputEntries:
            if getattr(entry, "text", None):
                check(entry.text, _("rule %(number)s output") % {"number": rule.row_number}, entry.id)
    return problems


def _rule(rule) -> str:
    return _("rule %(number)s") % {"number": rule.row_number}


@dataclass
class DecisionDeployResult:
    version: DecisionVersion
    created: bool

    def describe(self) -> str:
        v = self.version
        values = {"key": v.key, "number": v.number, "sha": v.sha256[:12]}
        if self.created:
            return _("deployed decision %(key)s version %(number)s (%(sha)s)") % values
        return _("unchanged: decision %(key)s version %(number)s already has this file (%(sha)s)") % values


def do_deploy_decision(data: bytes, filename: str, *, acting_user=None) -> DecisionDeployResult:
    """Check and deploy a DMN file: the same bytes again are a no-op, changed bytes version N+1."""
    file = read_decision(data, filename)
    existing = DecisionVersion.objects.filter(key=file.key, sha256=file.sha256).first()
    if existing:
        return DecisionDeployResult(existing, created=False)
    with transaction.atomic():
        # Lock the key's versions so that two deploys cannot both take number N+1.
        latest = DecisionVersion.objects.select_for_update().filter(key=file.key).order_by("-number").first()
        version = DecisionVersion.objects.create(
            key=file.key,
            number=(latest.number + 1) if latest else 1,
            name=file.decision.name or "",
            sha256=file.sha256,
            filename=filename,
            dmn_xml=data.decode("utf-8"),
            deployed_by=acting_user,
        )
    return DecisionDeployResult(version, created=True)


def lint_decision(data: bytes, filename: str) -> list[Problem]:
    try:
        read_decision(data, filename)
    except BpmnFileError as error:
        return error.problems
    return []


class DecisionError(Exception):
    """A deployed decision could not decide (a missing input, a cell that failed)."""


_TABLES: dict[str, object] = {}  # sha256 -> parsed table: versions never change


def decide(version: DecisionVersion, context: dict) -> dict:
    """The outputs of the table's matching rule(s) for ``context`` ({} if none matched)."""
    table = _TABLES.get(version.sha256)
    if table is None:
        table = read_decision(version.dmn_xml.encode("utf-8"), version.filename).table
        _TABLES[version.sha256] = table
    # DMNEngine asks a task for its data and its workflow's script engine (and, to word an error,
    # its spec): give it just that.
    task = SimpleNamespace(
        data=dict(context),
        workflow=SimpleNamespace(script_engine=SafeScriptEngine()),
        task_spec=SimpleNamespace(name=version.key, bpmn_id=version.key, bpmn_name=version.name),
    )
    for column in table.inputs:  # a missing input is the usual failure: say which, plainly
        try:
            evaluate(column.expression, task.data)
        except ExpressionError as error:
            raise DecisionError(
                _("decision %(decision)s, input '%(input)s': %(error)s")
                % {"decision": version.label, "input": in_language(column.label or column.id), "error": error.message}
            ) from None
    try:
        return dict(DMNEngine(table).result(task))
    except (SpiffWorkflowException, ExpressionError) as error:
        raise DecisionError(
            _("decision %(decision)s failed: %(error)s") % {"decision": version.label, "error": error}
        ) from None
    except (AttributeError, TypeError) as error:
        # SpiffWorkflow words a failing cell with the workflow task it expects; there is none here.
        raise DecisionError(
            _("decision %(decision)s failed: %(error)s")
            % {"decision": version.label, "error": f"{type(error).__name__}: {error}"}
        ) from None


def latest_decision(key: str) -> DecisionVersion | None:
    return DecisionVersion.objects.filter(key=key).order_by("-number").first()
