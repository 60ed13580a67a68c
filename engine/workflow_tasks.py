"""Questions asked of a loaded SpiffWorkflow workflow, answered from its task dictionaries.

SpiffWorkflow's own iterator walks the task tree with a depth limit of 1000: a case that loops
(correction after correction) grows the tree until the ready task lies beyond it, and the
workflow then reports itself completed. The dictionaries ``workflow.tasks`` (and those of its
subprocesses) hold every task whatever the depth, so everything here reads them instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from processes.names import in_language

from .errors import EngineError
from .evaluator import ExpressionError

MAX_ENGINE_ROUNDS = 1000
# How SpiffWorkflow words the failure of an expression it handed to the evaluator.
_SPIFF_EXPRESSION = re.compile(r"Error evaluating expression '(.*)'", re.S)


def failure_text(error: Exception) -> str:
    """Why a step failed, for the person who asked. SpiffWorkflow wraps the evaluator's refusal
    (ours, in the reader's language) in its own English words and keeps it only as the context:
    say the step, the evaluator's reason and the expression instead."""
    cause, task = error.__context__, getattr(error, "task", None)
    if not isinstance(cause, ExpressionError) or task is None:
        return str(error)
    spec = task.task_spec
    name = in_language(spec.bpmn_name or "")
    where = (
        _("'%(step)s' (%(element)s)") % {"step": name, "element": spec.bpmn_id} if name else spec.bpmn_id or spec.name
    )
    match = _SPIFF_EXPRESSION.fullmatch(str(error.args[0]) if error.args else "")
    if match:
        return _("%(where)s: %(error)s: %(text)s") % {"where": where, "error": cause.message, "text": match.group(1)}
    return _("%(where)s: %(error)s") % {"where": where, "error": cause.message}


def all_tasks(workflow) -> Iterator:
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def ready_user_tasks(workflow) -> list:
    return [t for t in all_tasks(workflow) if t.state == TaskState.READY and t.task_spec.manual]


def unfinished(workflow) -> bool:
    return any(t.has_state(TaskState.NOT_FINISHED_MASK) for t in all_tasks(workflow))


def _definitions(task) -> list:
    """The event definitions a waiting task listens for; an event-based gateway holds its
    children's definitions (SpiffWorkflow moves them there), in the order of its outputs."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def timer_definition(task):
    for definition in _definitions(task):
        if isinstance(definition, TimerEventDefinition):
            return definition
    return None


def timer_label(task) -> tuple[str, str]:
    """(bpmn id, name) of the timer event itself, also when its gateway does the waiting."""
    spec = task.task_spec
    if isinstance(spec, EventBasedGateway):
        for index, definition in enumerate(_definitions(task)):
            if isinstance(definition, TimerEventDefinition) and index < len(spec.outputs):
                spec = spec.outputs[index]
                break
    return spec.bpmn_id, spec.bpmn_name or ""


def timer_fired(task) -> bool:
    """Did this task finish because its timer fired (not a message beside it on a gateway)?"""
    if task.state != TaskState.COMPLETED:
        return False
    if not isinstance(getattr(task.task_spec, "event_definition", None), MultipleEventDefinition):
        return True
    return any(isinstance(e.event_definition, TimerEventDefinition) for e in task._get_internal_data("seen_events", []))


def waiting_timers(workflow) -> list:
    return [t for t in all_tasks(workflow) if t.state == TaskState.WAITING and timer_definition(t) is not None]


def timer_due_at(task) -> dt.datetime | None:
    """When a waiting timer fires, from the value SpiffWorkflow computed when it started waiting."""
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    definition = timer_definition(task)
    if isinstance(definition, CycleTimerEventDefinition):
        return dt.datetime.fromisoformat(value["next"])
    # Duration timers store their absolute due time; date timers the evaluated date-time.
    return TimerEventDefinition.get_datetime(str(value))


def waiting_for_message(workflow, name: str) -> list[tuple]:
    """(task, definition) for each waiting task that would catch the message ``name``."""
    found = []
    for task in all_tasks(workflow):
        if task.state != TaskState.WAITING:
            continue
        for definition in _definitions(task):
            if isinstance(definition, MessageEventDefinition) and definition.name == name:
                found.append((task, definition))
    return found


def catches_message(spec) -> bool:
    """Whether a catching event's spec waits for a message (alone or among other events)."""
    definition = getattr(spec, "event_definition", None)
    inner = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    return any(isinstance(d, MessageEventDefinition) for d in inner)


def waited_message_names(task) -> tuple[str, ...]:
    """The names of the messages a waiting task would catch (several on an event-based gateway)."""
    return tuple(d.name for d in _definitions(task) if isinstance(d, MessageEventDefinition))


def message_event(definition, payload: dict) -> BpmnEvent:
    """A BpmnEvent for a waiting message, shaped the way its parser's definition expects.

    Camunda files: the payload lands in the case data under the message name (or the event's
    result variable). SpiffArena files: under the event's message variable, if it names one.
    """
    if isinstance(definition, CamundaMessageEventDefinition):
        return BpmnEvent(definition, {"payload": payload, "result_var": definition.result_var or definition.name})
    return BpmnEvent(definition, payload)


def reached_end(workflow) -> str:
    """The id of the last end event the case completed, for the case's record."""
    ends = [t for t in workflow.tasks.values() if isinstance(t.task_spec, EndEvent) and t.state == TaskState.COMPLETED]
    ends.sort(key=lambda t: t.last_state_change)
    return ends[-1].task_spec.bpmn_id if ends else ""


def run_engine_steps(workflow) -> None:
    """SpiffWorkflow's engine steps, then any ready engine task its depth-limited walk missed."""
    workflow.do_engine_steps()
    for _round in range(MAX_ENGINE_ROUNDS):
        missed = [t for t in all_tasks(workflow) if t.state == TaskState.READY and not t.task_spec.manual]
        if not missed:
            return
        for task in missed:
            task.run()
        workflow.do_engine_steps()
    raise EngineError(_("The process did not settle: its engine steps kept producing work."))


# What each write-path action does to a loaded workflow. The actions add the locking, the rows and
# the log; the simulation (simulation.machine) calls the same functions on workflows in memory.


def complete_user_task(task, *, outcome: str = "", data: dict | None = None) -> None:
    """Complete a ready user task with its form data; the outcome goes in as ``<task id>_outcome``."""
    task.data.update(data or {})
    if outcome:
        task.data[f"{task.task_spec.bpmn_id}_outcome"] = outcome
    task.run()


def deliver_message(workflow, name: str, payload: dict) -> tuple | None:
    """Hand a message to the first task waiting for it: (task, definition), or None if none waits.
    The event is built from the waiting task's own definition: it is of the class its parser built."""
    waiting = waiting_for_message(workflow, name)
    if not waiting:
        return None
    task, definition = waiting[0]
    workflow.catch(message_event(definition, payload))
    return task, definition


def fire_timer(workflow, task) -> None:
    """Fire a waiting timer now. The due time kept outside the workflow rules, not SpiffWorkflow's
    clock: the event is marked as fired."""
    task._set_internal_data(event_fired=True)
    workflow.refresh_timers()
