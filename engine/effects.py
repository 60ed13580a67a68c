"""What the engine does, inside the step, when a task with effects completes (processes.effects).

The engine applies the effects that apps registered (``register``): the licences app's
``issues`` (sign the case's licences) and ``revokes`` (revoke them, record the breach against the
enterprise's credit, flag the case's other results) among them. The engine's own is
``concludes``: the result is out (办结), the case clock stops for good, with its final light. It
is applied after the others, so that a task that issues and concludes concludes with its
licences in hand.

They run in the step's transaction, after the engine steps: if anything fails, the step and
everything the effects wrote roll back together, and the task runs again on the next try.
"""

from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.util.task import TaskState

from processes import effects as properties
from processes.results import Result, result_of

from . import clocks
from . import workflow_tasks as wt
from .models import Event

# property -> handler(step, task, value): what the step does when a task with the property completes.
_handlers: dict[str, Callable] = {}


def register(prop: properties.EffectProperty, handler: Callable) -> None:
    """An app's effect: its BPMN property (read at deploy, checked at lint) and what the step does."""
    properties.register_property(prop)
    _handlers[prop.name] = handler


def effect_specs(version) -> dict:
    return (version.elements or {}).get("effects") or {}


def completed_effect_tasks(workflow, specs: dict) -> dict:
    """Task id -> task, for the completed tasks that carry effects."""
    if not specs:
        return {}
    return {t.id: t for t in wt.all_tasks(workflow) if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id in specs}


def apply_effects(step) -> None:
    specs = effect_specs(step.version)
    if not specs:
        return
    done = completed_effect_tasks(step.workflow, specs)
    new = [task for task_id, task in done.items() if task_id not in step.effects_done_before]
    for task in sorted(new, key=lambda t: t.last_state_change):
        effect = specs[task.task_spec.bpmn_id]
        for name, handler in _handlers.items():
            if effect.get(name):
                handler(step, task, effect[name])
        if effect.get(properties.CONCLUDES):
            conclude(step, result=_concluding_result(step, task))


def _concluding_result(step, task) -> str:
    """The result a concluding task gives: its ``result`` property or its words; where neither
    says, a grant if an effect of the case issued something by now (a ``licence_issued`` event)."""
    result = result_of(step.version.elements, task.task_spec.bpmn_id)
    if result == Result.DONE and _issued_something(step):
        return Result.GRANTED
    return result


def _issued_something(step) -> bool:
    if any(event["kind"] == Event.Kind.LICENCE_ISSUED for event in step.events):
        return True
    return Event.objects.filter(case_id=step.case.pk, kind=Event.Kind.LICENCE_ISSUED).exists()


def conclude(step, *, result: str) -> None:
    """办结: the result is out. The case clock stops for good: late if past its due moment, and
    the light is final from here (red if it was ever late)."""
    case = step.case
    if case.concluded_at is not None:
        return
    if case.clock_running_since is not None:  # a stopped clock was read when it stopped
        clocks.case_past_due(step, step.now, clock_stops=True)
    case.concluded_at = step.now
    case.result = result
    case.light = clocks.final_case_light(case, step.now)
    case.clock_running_since = None
    step.log(
        Event.Kind.CASE_CONCLUDED,
        data={"light": case.light, "result": result, "late_working_hours": case.late_working_hours},
    )
