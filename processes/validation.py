"""Validation of a BPMN file before anything is stored: every problem at once, with its line.

Order: read safely (bpmn_file), the BPMN XML schema, Binglian's rules on the tree (one executable
process, departments, expressions, reachability), then SpiffWorkflow's own parse. The result is
a list of Problems; an empty list means the file may be deployed.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.evaluator import ExpressionError, check_expression, check_script, iso_literal
from workdays.clock import limit_from_due_date

from . import effects
from .bpmn_file import CAMUNDA_NS, SPIFF_NS, BpmnFile, Problem, bpmn, executable_processes, extension_properties, local
from .elements import (
    FLOW_NODE_TAGS,
    HUMAN_TASKS,
    LIMIT_PROPERTIES,
    describe_effects,
    describe_user_task,
    flow_nodes,
    lanes_by_node,
)
from .names import in_language
from .results import Result, declared_result
from .spec import build_spec

_SCHEMA = None
# What a designer means as an ISO-8601 duration or interval but mistyped (P5X, PT2Hours, R3/P1Q).
_ISO_LIKE = re.compile(r"(R\d*/)?PT?\d[\dA-Za-z.,]*")

# What a problem names, in the reader's words: the kind of a flow node, the part of it that is wrong.
NODE_KINDS = {
    "task": gettext_lazy("task"),
    "userTask": gettext_lazy("user task"),
    "manualTask": gettext_lazy("manual task"),
    "scriptTask": gettext_lazy("script task"),
    "serviceTask": gettext_lazy("service task"),
    "sendTask": gettext_lazy("send task"),
    "receiveTask": gettext_lazy("receive task"),
    "businessRuleTask": gettext_lazy("business rule task"),
    "callActivity": gettext_lazy("call activity"),
    "subProcess": gettext_lazy("subprocess"),
    "transaction": gettext_lazy("transaction"),
    "startEvent": gettext_lazy("start event"),
    "endEvent": gettext_lazy("end event"),
    "intermediateCatchEvent": gettext_lazy("intermediate catch event"),
    "intermediateThrowEvent": gettext_lazy("intermediate throw event"),
    "boundaryEvent": gettext_lazy("boundary event"),
    "exclusiveGateway": gettext_lazy("exclusive gateway"),
    "parallelGateway": gettext_lazy("parallel gateway"),
    "inclusiveGateway": gettext_lazy("inclusive gateway"),
    "eventBasedGateway": gettext_lazy("event-based gateway"),
    "complexGateway": gettext_lazy("complex gateway"),
}
PARTS = {
    "condition": gettext_lazy("condition"),
    "script": pgettext_lazy("bpmn", "script"),
    "preScript": gettext_lazy("pre-script"),
    "postScript": gettext_lazy("post-script"),
    "timer": gettext_lazy("timer"),
    "loopCardinality": gettext_lazy("loop cardinality"),
    "completionCondition": gettext_lazy("completion condition"),
    "collection": gettext_lazy("collection"),
}


def _of(part, element_id: str | None, problem: str) -> str:
    """'condition of flow_x: ...': the part of an element a problem is in (one of PARTS), then the problem."""
    return _("%(part)s of %(element)s: %(problem)s") % {"part": part, "element": element_id, "problem": problem}


def _of_property(name: str, element_id: str | None, problem: str) -> str:
    """'camunda:dueDate of review: ...': a property as written in the file, then the problem."""
    return _("%(property)s of %(element)s: %(problem)s") % {"property": name, "element": element_id, "problem": problem}


def _schema_validator() -> BpmnValidator:
    global _SCHEMA
    if _SCHEMA is None:  # loading the XSDs takes a moment; do it once per process
        _SCHEMA = BpmnValidator()
    return _SCHEMA


def schema_problems(file: BpmnFile) -> list[Problem]:
    validator = _schema_validator()
    validator.preprocess(file.root)
    if validator.validator.validate(file.root):
        return []
    return [
        Problem(e.line, _("BPMN schema: %(error)s") % {"error": e.message}, element_at_line(file.root, e.line))
        for e in validator.validator.error_log
    ]


def process_problems(file: BpmnFile) -> list[Problem]:
    processes = executable_processes(file.root)
    if not processes:
        return [Problem(file.root.sourceline, _('no executable process: mark the process isExecutable="true"'))]
    if len(processes) > 1:
        ids = ", ".join(p.get("id") for p in processes)
        return [
            Problem(
                processes[1].sourceline,
                _("more than one executable process (%(ids)s); deploy one per file") % {"ids": ids},
                processes[1].get("id"),
            )
        ]
    process = processes[0]
    problems = department_problems(process)
    problems += expression_problems(process)
    problems += reachability_problems(process)
    problems += effect_problems(process)
    return problems


def effect_problems(process: etree._Element) -> list[Problem]:
    """Each effect's own checks (processes.effects: e.g. the licence kinds ``issues`` names);
    ``result`` is one of processes.results.Result."""
    problems = []
    for node in process.iter():
        if not isinstance(node.tag, str) or local(node.tag) not in FLOW_NODE_TAGS:
            continue
        result = declared_result(extension_properties(node))
        if result is not None and result not in Result.values:
            problems.append(
                Problem(
                    node.sourceline,
                    _of_property(
                        "result",
                        node.get("id"),
                        _("unknown result '%(result)s' (one of: %(results)s)")
                        % {"result": result, "results": ", ".join(Result.values)},
                    ),
                    node.get("id"),
                )
            )
        effect = describe_effects(node)
        for prop, message in effects.problems(effect or {}):
            problems.append(Problem(node.sourceline, _of_property(prop, node.get("id"), message), node.get("id")))
    return problems


def department_problems(process: etree._Element) -> list[Problem]:
    owner = lanes_by_node(process)
    problems = []
    for task in human_tasks(process):
        described = describe_user_task(task, owner.get(task.get("id")))
        due_date = described["due_date"]
        if due_date and limit_from_due_date(due_date) is None:
            problems.append(
                Problem(
                    task.sourceline,
                    _of_property(
                        "camunda:dueDate",
                        task.get("id"),
                        _(
                            "'%(value)s' is not understood; write P<n>D (n working days), PT<n>H (n working hours) "
                            "or ${dateTime().plusDays(n)}"
                        )
                        % {"value": due_date},
                    ),
                    task.get("id"),
                )
            )
        if not described["department"]:
            problems.append(
                Problem(
                    task.sourceline,
                    _(
                        "user task '%(name)s' (%(element)s) belongs to no department: put it in a lane or give it "
                        "candidate groups (or set BINGLIAN_DEFAULT_DEPARTMENT for the files that name none)"
                    )
                    % {"name": in_language(described["name"]), "element": task.get("id")},
                    task.get("id"),
                )
            )
        problems += limit_problems(task, described)
    problems += send_back_problems(process)
    return problems


def human_tasks(process: etree._Element) -> list[etree._Element]:
    """The user, manual and plain tasks: the ones a department works (processes.elements)."""
    return [node for node in process.iter() if isinstance(node.tag, str) and local(node.tag) in HUMAN_TASKS]


def send_back_problems(process: etree._Element) -> list[Problem]:
    """``send_back_to`` (退回) names user tasks of the same process, or is ``none``."""
    user_tasks = {task.get("id") for task in human_tasks(process)}
    problems = []
    for task in human_tasks(process):
        text = extension_properties(task).get("send_back_to", "").strip()
        if not text or text.lower() == "none":
            continue
        unknown = [part.strip() for part in text.split(",") if part.strip() and part.strip() not in user_tasks]
        if unknown:
            message = _("%(steps)s: not a user task of this process; name user tasks, separated by commas, or none")
            problems.append(
                Problem(
                    task.sourceline,
                    _of_property("send_back_to", task.get("id"), message % {"steps": ", ".join(unknown)}),
                    task.get("id"),
                )
            )
    return problems


def limit_problems(task: etree._Element, described: dict) -> list[Problem]:
    """Limits are whole numbers, and a promised limit (承诺时限) never exceeds the statutory one."""
    problems, task_id = [], task.get("id")
    for name in LIMIT_PROPERTIES:
        raw = described["properties"].get(name)
        if raw not in (None, "") and (described[name] is None or described[name] < 0):
            problems.append(
                Problem(
                    task.sourceline,
                    _of_property(name, task_id, _("'%(value)s' is not a whole number of 0 or more") % {"value": raw}),
                    task_id,
                )
            )
    promised, statutory = described["promised_limit_working_days"], described["statutory_limit_working_days"]
    if promised is not None and statutory is not None and 0 <= statutory < promised:
        problems.append(
            Problem(
                task.sourceline,
                ngettext(
                    "promised limit of %(element)s (%(promised)s working day) exceeds its statutory limit "
                    "(%(statutory)s)",
                    "promised limit of %(element)s (%(promised)s working days) exceeds its statutory limit "
                    "(%(statutory)s)",
                    promised,
                )
                % {"element": task_id, "promised": promised, "statutory": statutory},
                task_id,
            )
        )
    return problems


def _check(
    element: etree._Element, text: str, what: str, script: bool = False, source: etree._Element | None = None
) -> list[Problem]:
    """``what`` is a key of PARTS; ``source`` is the element whose text ``text`` is: a script's line 1
    is on its line."""
    try:
        (check_script if script else check_expression)(text)
    except ExpressionError as error:
        lines = text.splitlines()
        at_line = script and error.lineno and 0 < error.lineno <= len(lines)
        line = (source if source is not None else element).sourceline + (error.lineno - 1 if at_line else 0)
        # One line per problem (FILE:LINE: message): quote the offending line, whitespace collapsed.
        quoted = " ".join((lines[error.lineno - 1] if at_line else text).split())[:80]
        owner = element.getparent().get("id") if what == "timer" else element.get("id")
        return [
            Problem(
                line,
                _of(PARTS[what], owner, _("%(error)s: %(text)s") % {"error": error.message, "text": quoted}),
                owner,
            )
        ]
    return []


def expression_problems(process: etree._Element) -> list[Problem]:
    problems = []
    for flow in bpmn(process, ".//bpmn:sequenceFlow"):
        for condition in bpmn(flow, "bpmn:conditionExpression"):
            if (condition.text or "").strip():
                problems += _check(flow, condition.text, "condition")
    for task in bpmn(process, ".//bpmn:scriptTask"):
        script_format = (task.get("scriptFormat") or "python").lower()
        if script_format not in ("python", "binglian", ""):
            problems.append(
                Problem(
                    task.sourceline,
                    _of(
                        PARTS["script"],
                        task.get("id"),
                        _("scriptFormat '%(format)s' is not supported; write it in Binglian's expression language")
                        % {"format": script_format},
                    ),
                    task.get("id"),
                )
            )
            continue
        for script in bpmn(task, "bpmn:script"):
            problems += _check(task, script.text or "", "script", script=True, source=script)
    for tag in ("preScript", "postScript"):
        for script in process.iter(f"{{{SPIFF_NS}}}{tag}"):
            task = script.getparent().getparent()
            problems += _check(task, script.text or "", tag, script=True, source=script)
    for timer in bpmn(process, ".//bpmn:timerEventDefinition"):
        for child in timer:
            if local(child.tag) in ("timeDuration", "timeDate", "timeCycle"):
                problems += _timer_problems(child)
    for loop in bpmn(process, ".//bpmn:multiInstanceLoopCharacteristics"):
        for child in loop:
            if local(child.tag) in ("loopCardinality", "completionCondition") and (child.text or "").strip():
                problems += _check(loop.getparent(), child.text, local(child.tag))
        collection = loop.get(f"{{{CAMUNDA_NS}}}collection")
        if collection:
            problems += _check(loop.getparent(), collection, "collection")
    return problems


def _timer_problems(expression: etree._Element) -> list[Problem]:
    text = (expression.text or "").strip()
    event = expression.getparent().getparent()
    if not text:
        return [
            Problem(
                expression.sourceline,
                _of(PARTS["timer"], event.get("id"), _("empty %(tag)s") % {"tag": local(expression.tag)}),
                event.get("id"),
            )
        ]
    literal = iso_literal(text)
    if literal is None and _ISO_LIKE.fullmatch(text):
        # "P5X" is a valid Python name, so the expression check would pass it and the case
        # would stop at run time on an undefined name: it is a mistyped duration.
        return [
            Problem(
                expression.sourceline,
                _of(PARTS["timer"], event.get("id"), _not_iso(expression, text)),
                event.get("id"),
            )
        ]
    if literal is None:
        return _check(expression.getparent(), text, "timer")
    try:
        if local(expression.tag) == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(literal)
        else:
            TimerEventDefinition.parse_time_or_duration(literal)
    except Exception:  # SpiffWorkflow raises bare Exception for a bad interval
        return [
            Problem(
                expression.sourceline,
                _of(PARTS["timer"], event.get("id"), _not_iso(expression, text)),
                event.get("id"),
            )
        ]
    return []


def _not_iso(expression: etree._Element, text: str) -> str:
    return _("not a valid ISO-8601 %(tag)s: %(text)s") % {"tag": local(expression.tag), "text": text}


def reachability_problems(container: etree._Element) -> list[Problem]:
    """Unreachable nodes, dead ends and nodes with no way to an end, in a process or subprocess."""
    nodes = {n.get("id"): n for n in flow_nodes(container)}
    successors, problems = defaultdict(set), []
    for flow in bpmn(container, "bpmn:sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        for ref in (source, target):
            if ref not in nodes:
                problems.append(
                    Problem(
                        flow.sourceline,
                        _("sequence flow %(flow)s refers to unknown node %(node)s")
                        % {"flow": flow.get("id"), "node": ref},
                        flow.get("id"),
                    )
                )
        successors[source].add(target)
    for node in nodes.values():
        if local(node.tag) == "boundaryEvent":
            successors[node.get("attachedToRef")].add(node.get("id"))
    starts = [
        i
        for i, n in nodes.items()
        if local(n.tag) == "startEvent" or (local(n.tag) == "subProcess" and n.get("triggeredByEvent") == "true")
    ]
    if not starts and local(container.tag) == "process":
        problems.append(
            Problem(
                container.sourceline,
                _("process %(process)s has no start event") % {"process": container.get("id")},
                container.get("id"),
            )
        )
    reached = _closure(starts, successors)
    predecessors = defaultdict(set)
    for source, targets in successors.items():
        for target in targets:
            predecessors[target].add(source)
    ends = [i for i, n in nodes.items() if local(n.tag) == "endEvent"]
    finishing = _closure(ends, predecessors)
    for node_id, node in nodes.items():
        kind = NODE_KINDS.get(local(node.tag), local(node.tag))
        label = _("%(kind)s '%(name)s' (%(element)s)") % {
            "kind": kind,
            "name": in_language(node.get("name") or node_id),
            "element": node_id,
        }
        if node_id not in reached and not _is_event_subprocess(node):
            problems.append(
                Problem(node.sourceline, _("%(node)s cannot be reached from a start event") % {"node": label}, node_id)
            )
        elif local(node.tag) != "endEvent" and not successors.get(node_id) and not _is_event_subprocess(node):
            if not (local(node.tag) == "boundaryEvent" and _is_compensation(node)):
                problems.append(
                    Problem(
                        node.sourceline,
                        _("%(node)s is a dead end: it has no outgoing sequence flow") % {"node": label},
                        node_id,
                    )
                )
        elif node_id in reached and node_id not in finishing and ends:
            problems.append(
                Problem(node.sourceline, _("%(node)s never reaches an end event") % {"node": label}, node_id)
            )
        if local(node.tag) in ("subProcess", "transaction"):
            problems += reachability_problems(node)
    return problems


def _closure(seeds, edges) -> set:
    seen, stack = set(seeds), list(seeds)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _is_event_subprocess(node) -> bool:
    return local(node.tag) == "subProcess" and node.get("triggeredByEvent") == "true"


def _is_compensation(node) -> bool:
    return bool(bpmn(node, "bpmn:compensateEventDefinition"))


def spiff_problems(file: BpmnFile) -> list[Problem]:
    try:
        build_spec(file.data, file.dialect, file.filename)
    except ValidationException as error:
        line = int(error.line_number) if str(error.line_number).isdigit() else None
        return [Problem(line, _("SpiffWorkflow: %(error)s") % {"error": error}, error.id or None)]
    except (SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError) as error:
        return [
            Problem(
                None,
                _("SpiffWorkflow cannot build this process: %(error)s") % {"error": f"{type(error).__name__}: {error}"},
            )
        ]
    return []


def element_at_line(root: etree._Element, line: int | None) -> str | None:
    """The id of the BPMN element written on ``line`` (or the one around it), for problems that
    come with a line only. A diagram shape or edge names its element in ``bpmnElement``."""
    if not line:
        return None
    found = next((e for e in root.iter() if isinstance(e.tag, str) and e.sourceline == line), None)
    while found is not None:
        if found.get("bpmnElement"):
            return found.get("bpmnElement")
        if found.get("id") and found.getparent() is not None:
            return found.get("id")
        found = found.getparent()
    return None


def validate(file: BpmnFile) -> list[Problem]:
    problems = schema_problems(file)
    problems += process_problems(file)
    if not problems:  # Spiff stops at its first error; ours are clearer, so they go first
        problems += spiff_problems(file)
    return sorted(set(problems), key=lambda p: (p.line or 0, p.message))
