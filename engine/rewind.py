"""Going back in a case: which earlier steps a task may be sent back to (退回), and whether a
completed task may still be taken back (撤回). Questions asked of a loaded workflow's task tree,
for any deployed process; engine.casework does the moves.

SpiffWorkflow keeps a case as a tree: each task's children are what followed it. The steps a task
may go back to are the user tasks above it, nearest first; going back to one drops everything
below it (``reset_from_task_id``), so:
- inside a parallel fan-out, an earlier step of the same branch drops that branch only;
- a step before the fan-out drops every branch, and the join waits for all of them again;
- from after a join, the branches the join merged are not offered, only steps before their fork
  (one branch alone cannot be rerun once the join has fired).

Some things cannot be undone by going back, and the steps behind them are not offered: a result
issued (a task with effects: a licence, a revocation, the case's conclusion) and a message
received from outside (the bank will not open the account twice). The designer can narrow the
choice further with the user task's ``send_back_to`` property: step ids separated by commas, or
``none``.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.util.task import TaskState

from . import workflow_tasks as wt

NO_SEND_BACK = "none"
# Routing only: a gateway that ran after a completion was the completion's doing, not someone's act.
ROUTING = (ExclusiveGateway, InclusiveGateway, ParallelGateway)


@dataclass(frozen=True)
class Target:
    """An earlier step the case may go back to: its last run in this case."""

    spec: str  # the user task's id in the BPMN
    task: object  # the SpiffWorkflow task that ran it


def allowed_targets(meta: dict) -> set[str] | None:
    """The step ids the designer allows a task to send back to; None: any earlier step."""
    text = str(meta.get("properties", {}).get("send_back_to", "")).strip()
    if not text:
        return None
    if text.lower() == NO_SEND_BACK:
        return set()
    return {part.strip() for part in text.split(",") if part.strip()}


def _concurrent(spec, direction: str) -> bool:
    """A parallel or inclusive gateway that joins (``inputs``) or forks (``outputs``) branches."""
    return isinstance(spec, (ParallelGateway, InclusiveGateway)) and len(getattr(spec, direction)) > 1


def ancestors(workflow, task):
    """The tasks above ``task``, nearest first, out of subprocesses into their callers."""
    current = task
    while current is not None:
        parent = current.parent
        if parent is None and current.workflow.parent_task_id is not None:
            parent = workflow.get_task_from_id(current.workflow.parent_task_id)
        if parent is not None:
            yield parent
        current = parent


def _cannot_be_undone(task, results: set[str]) -> bool:
    """Whether going back to ``task`` would drop something that cannot happen again."""
    for below in task:
        if below.state != TaskState.COMPLETED or below is task:
            continue
        spec = below.task_spec
        if spec.bpmn_id in results:
            return True
        if isinstance(spec, CatchingEvent) and wt.catches_message(spec):
            return True
    return False


def send_back_targets(version, workflow, task) -> list[Target]:
    """The earlier steps ``task`` (a ready user task) may be sent back to, nearest first."""
    allowed = allowed_targets(version.user_task(task.task_spec.bpmn_id))
    if allowed == set():
        return []
    results = set(version.elements.get("effects", {}))
    found: dict[str, Target] = {}
    merged = 0  # how many joins we are behind: their branches' steps are not offered
    for above in ancestors(workflow, task):
        spec = above.task_spec
        if _concurrent(spec, "inputs"):
            merged += 1
        elif _concurrent(spec, "outputs") and merged:
            merged -= 1
        if spec.bpmn_id in results and above.state == TaskState.COMPLETED:
            break  # a result was issued on the way here: nothing before it can be redone
        if merged or not spec.manual or above.state != TaskState.COMPLETED:
            continue
        if spec.bpmn_id == task.task_spec.bpmn_id or spec.bpmn_id in found:
            continue
        if allowed is not None and spec.bpmn_id not in allowed:
            continue
        if _cannot_be_undone(above, results):
            break  # nor anything above it, whose subtree holds the same
        found[spec.bpmn_id] = Target(spec.bpmn_id, above)
    return list(found.values())


def withdrawal_blocker(version, workflow, task, open_items: dict) -> str | None:
    """Why the completed ``task`` may not be taken back, or None if it may: something happened
    after it. ``open_items``: task id -> the open work item of each ready user task (its holder
    says whether someone took it up). Returns a code: ``acted`` (a later task claimed or done, a
    message or timer caught, a result issued) or ``ended``."""
    if task.state != TaskState.COMPLETED:
        return "acted"
    results = set(version.elements.get("effects", {}))
    for below in task:
        if below is task:
            continue
        spec = below.task_spec
        if below.state == TaskState.COMPLETED:
            # Only the routing the completion caused (gateways, the engine's own joins) may have run.
            if isinstance(spec, ROUTING) and spec.bpmn_id not in results:
                continue
            if not spec.bpmn_id and not spec.manual:  # SpiffWorkflow's own bookkeeping tasks
                continue
            return "acted"
        if below.state == TaskState.READY and spec.manual:
            item = open_items.get(below.id)
            if item is None or item.assignee_id is not None:
                return "acted"
    return None
