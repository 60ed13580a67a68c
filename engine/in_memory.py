"""A version's BPMN run in memory by the engine's own SpiffWorkflow setup, with no database,
for the what-if simulation (simulation/).

The spec is the one the engine caches (engine.state.specs_for), the script engine is the safe
one, and each step is what a ``do_*`` action does to the loaded workflow (the shared helpers in
engine.workflow_tasks), minus the rows. Gateways, joins, boundary events, scripts and timers
are therefore decided by the engine itself, not by a model of the process.

Cases of a simulation pass through the same few states again and again. A step is a function
of the state it starts from and of what happens (a task completed with an outcome, a message,
a timer), so each distinct step is computed by the engine once and kept as an edge of a graph
of states; the next case that takes the same step follows the edge. The edge records what the
step changed (tasks opened and cancelled, timers and messages now waited for), which is all
the simulation needs to know about the state.

Two states are the same when their unfinished tasks are: the same task specs in the same
states with the same data. The order in which parallel branches finished does not matter then
(police before tax, or tax before police), and a few hundred states cover thousands of paths.
A timer's due time is left out: the simulation keeps it, not the workflow. ``merge_states=False``
keeps every path apart instead (slower); the tests check that both give the same runs.

To compute a new edge the machine needs a live workflow in the state it starts from: it keeps
one per state for a while and steps a copy of it; failing that it replays the steps that first
led to the state.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import OrderedDict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.event import Event
from SpiffWorkflow.util.task import TaskState

from . import workflow_tasks as wt
from .evaluator import ExpressionError
from .state import SCRIPT_ENGINE, new_workflow, specs_for

COMPLETE, MESSAGE, TIMER = "complete", "message", "timer"
LIVE_WORKFLOWS = 2048
# Kept by the simulation, not the workflow; differs with the wall clock at the step.
_UNCOMPARED_INTERNAL = ("event_value",)


class ProcessFailed(Exception):
    """The process could not take a step (an expression failed, nothing waits for the event)."""


@dataclass(eq=False)
class Edge:
    node: Node
    concludes: bool  # a task that concludes the case (办结, effect ``concludes``) completed in this step
    opened: tuple[str, ...]  # user tasks that became ready (bpmn ids)
    cancelled: tuple[str, ...]  # ready user tasks the process took away (a boundary event, a terminate)
    timers: tuple[tuple[str, float], ...]  # (timer id, seconds from the step to its due time) started
    timers_stopped: tuple[str, ...]
    messages: tuple[str, ...]  # message names the case began to wait for
    messages_stopped: tuple[str, ...]


@dataclass(eq=False)
class Node:
    path: tuple
    ended: bool = False
    end_activity: str = ""
    edges: dict = field(default_factory=dict)


@dataclass
class _Snapshot:
    ready: dict  # task uuid -> bpmn id
    timers: dict  # task uuid -> timer bpmn id
    messages: dict  # task uuid -> message names
    concluded: bool = False


def _snapshot(workflow, concluding: frozenset = frozenset()) -> _Snapshot:
    ready, timers, messages, concluded = {}, {}, {}, False
    for task in wt.all_tasks(workflow):
        state = task.state
        if state == TaskState.COMPLETED:
            concluded = concluded or task.task_spec.bpmn_id in concluding
        elif state == TaskState.READY and task.task_spec.manual:
            ready[task.id] = task.task_spec.bpmn_id
        elif state == TaskState.WAITING:
            if wt.timer_definition(task) is not None:
                timers[task.id] = wt.timer_label(task)[0]
            names = wt.waited_message_names(task)
            if names:
                messages[task.id] = names
    return _Snapshot(ready, timers, messages, concluded)


def _copy_data(value):
    """A deep copy of task data (JSON-like in practice), much cheaper than copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {k: _copy_data(v) for k, v in value.items()}
    if kind is list:
        return [_copy_data(v) for v in value]
    if kind in (str, int, float, bool, type(None), tuple):
        return value
    return copy.deepcopy(value)


def _canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))


def fingerprint(workflow) -> tuple:
    """What the future of a workflow depends on, as a multiset of tasks with their states and data:

    - every unfinished task (ready, waiting, or predicted);
    - every finished task with an unfinished child: the data its children start from;
    - every instance of a join, finished or not, and the task before it: a join merges the data
      its branches finished with (one department's rejection decides the result).

    Finished work that nothing reads again (an earlier round of a correction loop) is left out,
    and so is the tree's shape, which differs by the order parallel branches finished in (the
    join's waiting instance hangs under whichever branch came last)."""
    if not wt.unfinished(workflow):
        return ("ended", wt.reached_end(workflow))
    kept: dict = {}
    for task in wt.all_tasks(workflow):
        if isinstance(task.task_spec, Join | UnstructuredJoin):
            kept[task.id] = task
            if task.parent is not None:
                kept[task.parent.id] = task.parent
        elif not task.has_state(TaskState.FINISHED_MASK):
            kept[task.id] = task
            parent = task.parent
            if parent is not None and parent.has_state(TaskState.FINISHED_MASK):
                kept[parent.id] = parent
    return (_canonical(workflow.data), tuple(sorted(_describe(task) for task in kept.values())))


def _describe(task) -> str:
    internal = (
        {k: v for k, v in task.internal_data.items() if k not in _UNCOMPARED_INTERNAL} if task.internal_data else {}
    )
    return f"{task.task_spec.name}|{task.state}|{_canonical(task.data)}|{_canonical(internal)}"


class ProcessMachine:
    """One version's process, in memory. ``start`` and ``step`` return Edges."""

    def __init__(self, version, *, merge_states: bool = True):
        self.version = version
        self.spec, self.subprocess_specs = specs_for(version)
        self.merge_states = merge_states
        effects = version.elements.get("effects") or {}
        self.concluding = frozenset(task for task, effect in effects.items() if effect.get("concludes"))
        self.roots: dict[tuple, Edge] = {}
        self._states: dict[tuple, Node] = {}
        self._live: OrderedDict[int, object] = OrderedDict()  # id(node) -> a workflow in that node's state
        # deepcopy must share the (immutable, cached) specs and the script engine, not copy them.
        self._shared = {id(SCRIPT_ENGINE): SCRIPT_ENGINE, id(self.subprocess_specs): self.subprocess_specs}
        for spec in (self.spec, *self.subprocess_specs.values()):
            self._shared[id(spec)] = spec
            for task_spec in spec.task_specs.values():
                self._shared[id(task_spec)] = task_spec
        self.engine_steps = 0
        self.replays = 0
        self.nodes = 0

    def start(self, data: dict) -> Edge:
        """The edge into a new case's first state, for the case data ``data`` (values hashable)."""
        key = tuple(sorted(data.items()))
        edge = self.roots.get(key)
        if edge is None:
            workflow = self._new_workflow(data)
            edge = self._edge((key,), _Snapshot({}, {}, {}), workflow, None, dt.datetime.now(dt.UTC))
            self.roots[key] = edge
        return edge

    def step(self, node: Node, action: tuple) -> Edge:
        """Follow (or compute once) the edge for ``action`` from ``node``:
        (COMPLETE, task id, outcome) | (MESSAGE, name) | (TIMER, timer id)."""
        edge = node.edges.get(action)
        if edge is not None:
            return edge
        live = self._live.get(id(node))
        if live is not None:
            self._live.move_to_end(id(node))
            workflow = self._copy(live)
        else:
            workflow = self._replay(node)
        before = _snapshot(workflow, self.concluding)
        now = dt.datetime.now(dt.UTC)
        done = self._act(workflow, before, action)
        edge = self._edge(node.path + (action,), before, workflow, done, now)
        node.edges[action] = edge
        return edge

    # -- the engine ---------------------------------------------------------------------------

    def _new_workflow(self, data: dict):
        workflow = new_workflow(self.version)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        self._run(workflow)
        return workflow

    def _run(self, workflow) -> None:
        self.engine_steps += 1
        try:
            wt.run_engine_steps(workflow)
        except (SpiffWorkflowException, ExpressionError) as error:
            raise ProcessFailed(
                _("The process could not continue: %(error)s") % {"error": wt.failure_text(error)}
            ) from None

    def _act(self, workflow, before: _Snapshot, action: tuple):
        kind = action[0]
        try:
            if kind == COMPLETE:
                task_id, outcome = action[1:]
                task = next(
                    (workflow.get_task_from_id(uuid) for uuid, spec in before.ready.items() if spec == task_id), None
                )
                if task is None:
                    raise ProcessFailed(_("'%(task)s' is not ready") % {"task": task_id})
                wt.complete_user_task(task, outcome=outcome)
                self._run(workflow)
                return task.id
            if kind == MESSAGE:
                if not wt.deliver_message(workflow, action[1], {}):
                    raise ProcessFailed(_("nothing waits for the message '%(message)s'") % {"message": action[1]})
            elif kind == TIMER:
                uuid = next((uuid for uuid, timer in before.timers.items() if timer == action[1]), None)
                if uuid is None:
                    raise ProcessFailed(_("timer '%(timer)s' is not waiting") % {"timer": action[1]})
                wt.fire_timer(workflow, workflow.get_task_from_id(uuid))
            else:
                raise ProcessFailed(_("unknown step %(step)r") % {"step": action})
            self._run(workflow)
        except (SpiffWorkflowException, ExpressionError) as error:
            raise ProcessFailed(
                _("The process could not continue: %(error)s") % {"error": wt.failure_text(error)}
            ) from None
        return None

    def _copy(self, workflow):
        """A workflow to step, leaving the kept one as it is. The specs are shared, never copied.

        A workflow without subprocesses is copied task by task: ``copy.deepcopy`` of the whole
        object graph costs several times more, and this copy is made for every new edge.
        """
        if workflow.subprocesses or not isinstance(workflow, BpmnWorkflow):
            return copy.deepcopy(workflow, dict(self._shared))
        clone = object.__new__(type(workflow))
        clone.__dict__.update(workflow.__dict__)
        clone.data = _copy_data(workflow.data)
        clone.locks = copy.deepcopy(workflow.locks)
        clone.bpmn_events = copy.deepcopy(workflow.bpmn_events, dict(self._shared))
        clone.correlations = copy.deepcopy(workflow.correlations)
        clone.subprocesses = {}
        clone.completed_event, clone.task_removed_event = Event(), Event()
        tasks = clone.tasks = {}
        for uuid, task in workflow.tasks.items():
            twin = object.__new__(type(task))
            twin.__dict__.update(task.__dict__)
            twin.workflow = clone
            twin._children = list(task._children)
            twin.data = _copy_data(task.data)
            twin.internal_data = _copy_data(task.internal_data)
            tasks[uuid] = twin
        clone.task_tree = tasks[workflow.task_tree.id]
        clone.last_task = tasks.get(workflow.last_task.id) if workflow.last_task is not None else None
        clone.event_manager = EventManager(clone)
        clone.event_manager.tasks = {uuid: tasks[uuid] for uuid in workflow.event_manager.tasks}
        return clone

    def _replay(self, node: Node):
        self.replays += 1
        workflow = self._new_workflow(dict(node.path[0]))
        for action in node.path[1:]:
            self._act(workflow, _snapshot(workflow, self.concluding), action)
        return workflow

    def _node(self, path: tuple, workflow) -> Node:
        """The state the workflow is in: a known one, or a new node that keeps the workflow."""
        key = fingerprint(workflow) if self.merge_states else path
        node = self._states.get(key)
        if node is None:
            node = self._states[key] = Node(path=path)
            self.nodes += 1
            node.ended = not wt.unfinished(workflow)
            if node.ended:
                node.end_activity = wt.reached_end(workflow)
        if not node.ended and id(node) not in self._live:
            self._live[id(node)] = workflow
            while len(self._live) > LIVE_WORKFLOWS:
                self._live.popitem(last=False)
        return node

    def _edge(self, path: tuple, before: _Snapshot, workflow, completed, now: dt.datetime) -> Edge:
        after = _snapshot(workflow, self.concluding)
        node = self._node(path, workflow)
        timers = []
        for uuid, timer in after.timers.items():
            if uuid not in before.timers:
                due = wt.timer_due_at(workflow.get_task_from_id(uuid))
                # Whole seconds: SpiffWorkflow reads the wall clock a few microseconds after ``now``.
                timers.append((timer, float(max(round((due - now).total_seconds()), 0)) if due else 0.0))
        # Sorted: the same step from a merged state lists its changes in the same order whichever
        # path built the workflow, so a seeded run draws the same numbers.
        edge = Edge(
            node=node,
            concludes=after.concluded and not before.concluded,
            opened=tuple(sorted(spec for uuid, spec in after.ready.items() if uuid not in before.ready)),
            cancelled=tuple(
                sorted(spec for uuid, spec in before.ready.items() if uuid not in after.ready and uuid != completed)
            ),
            timers=tuple(sorted(timers)),
            timers_stopped=tuple(sorted(t for uuid, t in before.timers.items() if uuid not in after.timers)),
            messages=tuple(
                sorted(n for uuid, names in after.messages.items() if uuid not in before.messages for n in names)
            ),
            messages_stopped=tuple(
                sorted(n for uuid, names in before.messages.items() if uuid not in after.messages for n in names)
            ),
        )
        return edge
