"""What the engine and the worklists need to know about a process's elements, read at deploy time.

Stored on ProcessVersion.elements as JSON so that nothing at run time re-reads the XML:
- ``departments``: code -> display name, one per lane (a lane is a department);
- ``user_tasks``: id -> name, department, candidate group, limits, form fields, outcomes;
- ``names``: id -> name for every flow node, for event-log labels;
- ``messages``: message name -> the ids of the events that wait for it;
- ``effects``: id -> what the engine does when that task completes (see ``describe_effects``);
- ``results``: id -> the ``result`` property of an end event or concluding task (processes.results).

A lane's department code is its ``department`` property if it has one, otherwise the lane id
without a leading ``lane_`` (``lane_tax`` -> ``tax``). A user task's department is its lane's;
outside any lane, its first candidate group (``camunda:candidateGroups``), else the deployment's
``DEFAULT_DEPARTMENT``. Manual and plain tasks are described as user tasks (``HUMAN_TASKS``).
"""

from __future__ import annotations

import re

from django.conf import settings
from lxml import etree

from . import effects
from .bpmn_file import CAMUNDA_NS, bpmn, extension_properties, local
from .results import declared_result

FLOW_NODE_TAGS = {
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
}

LIMIT_PROPERTIES = ("promised_limit_working_days", "statutory_limit_working_days", "limit_working_hours")
# The tasks a person does: SpiffWorkflow waits for someone on a user task, a manual task and a
# plain task alike, so each becomes a work item of a department.
HUMAN_TASKS = ("userTask", "manualTask", "task")


def lane_department(lane: etree._Element) -> str:
    explicit = extension_properties(lane).get("department")
    if explicit:
        return explicit.strip()
    return re.sub(r"^lane_", "", lane.get("id", ""), flags=re.I)


def lanes_by_node(process: etree._Element) -> dict[str, etree._Element]:
    """Flow node id -> the innermost lane that lists it."""
    owner = {}
    for lane in bpmn(process, ".//bpmn:lane"):
        for ref in bpmn(lane, "bpmn:flowNodeRef"):
            owner[(ref.text or "").strip()] = lane
    return owner


def flow_nodes(container: etree._Element) -> list[etree._Element]:
    return [child for child in container if local(child.tag) in FLOW_NODE_TAGS]


def _int_or_none(value: str | None):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def form_fields(task: etree._Element) -> list[dict]:
    fields = []
    for field in bpmn(task, "bpmn:extensionElements/camunda:formData/camunda:formField"):
        required = any(c.get("name") == "required" for c in bpmn(field, "camunda:validation/camunda:constraint"))
        fields.append(
            {
                "id": field.get("id", ""),
                "label": field.get("label", field.get("id", "")),
                "type": field.get("type", "string"),
                "default": field.get("defaultValue"),
                "required": required,
                "values": [{"id": v.get("id"), "name": v.get("name")} for v in bpmn(field, "camunda:value")],
            }
        )
    return fields


def describe_user_task(task: etree._Element, lane: etree._Element | None) -> dict:
    props = extension_properties(task)
    groups = [g.strip() for g in task.get(f"{{{CAMUNDA_NS}}}candidateGroups", "").split(",") if g.strip()]
    department = lane_department(lane) if lane is not None else (groups[0] if groups else settings.DEFAULT_DEPARTMENT)
    outcomes = [o.strip() for o in props.get("outcomes", "").split(",") if o.strip()]
    return {
        "name": task.get("name") or task.get("id"),
        "department": department,
        "candidate_group": groups[0] if groups else department,
        "lane": lane.get("id") if lane is not None else None,
        "line": task.sourceline,
        "outcomes": outcomes,
        "form_key": task.get(f"{{{CAMUNDA_NS}}}formKey") or props.get("form"),
        "form_fields": form_fields(task),
        "due_date": task.get(f"{{{CAMUNDA_NS}}}dueDate"),
        "special_step": props.get("special_step", "").lower() in ("1", "true", "yes"),
        **{name: _int_or_none(props.get(name)) for name in LIMIT_PROPERTIES},
        "properties": props,
    }


def describe_effects(node: etree._Element) -> dict | None:
    """A task's effects, from its properties (any task type; the reference process uses script
    tasks): the properties registered in processes.effects (``concludes``, and the licences'
    ``issues`` and ``revokes``)."""
    return effects.describe(extension_properties(node), node.sourceline)


def describe_process(process: etree._Element) -> dict:
    owner = lanes_by_node(process)
    departments = {}
    for lane in bpmn(process, ".//bpmn:lane"):
        departments.setdefault(lane_department(lane), lane.get("name") or lane_department(lane))
    user_tasks, names, effects, results = {}, {}, {}, {}
    for node in process.iter():
        if not isinstance(node.tag, str) or local(node.tag) not in FLOW_NODE_TAGS:
            continue
        names[node.get("id")] = node.get("name") or node.get("id")
        result = declared_result(extension_properties(node))
        if result:
            results[node.get("id")] = result
        effect = describe_effects(node)
        if effect:
            effects[node.get("id")] = effect
        if local(node.tag) in HUMAN_TASKS:
            user_tasks[node.get("id")] = describe_user_task(node, owner.get(node.get("id")))
    for task in user_tasks.values():
        if task["department"]:
            departments.setdefault(task["department"], task["department"])
    message_names = {
        m.get("id"): m.get("name") or m.get("id") for m in bpmn(process.getroottree().getroot(), "bpmn:message")
    }
    messages: dict[str, list[str]] = {}
    for definition in bpmn(process, ".//bpmn:messageEventDefinition"):
        event = definition.getparent()
        if local(event.tag) in ("intermediateCatchEvent", "boundaryEvent", "startEvent"):
            name = message_names.get(definition.get("messageRef"), definition.get("messageRef"))
            messages.setdefault(name, []).append(event.get("id"))
    for task in bpmn(process, ".//bpmn:receiveTask"):
        name = message_names.get(task.get("messageRef"), task.get("messageRef"))
        messages.setdefault(name, []).append(task.get("id"))
    return {
        "process_id": process.get("id"),
        "process_name": process.get("name") or process.get("id"),
        "departments": departments,
        "user_tasks": user_tasks,
        "names": names,
        "messages": messages,
        "effects": effects,
        "results": results,
    }
