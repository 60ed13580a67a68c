"""Whether a running case can move to another version of its process, and moving its workflow.

A case is where its live tasks are: ready user tasks, waiting events, waiting joins. It can move
if each of them has a step in the new version (the same id, a mapping, or an inferred rename)
of the same kind and, for events, waiting for the same thing; and if the tokens still make sense
in the new version's flow:

- every parallel join a token can reach must be able to get a token on each of its incoming
  flows (from another live task, or one that already arrived). A case waiting in a serial step
  that the new version runs as one branch of a parallel split never passed that split: the join
  would wait forever for branches that never started;
- no live task can reach another one without passing a join: two tokens on one path (parallel
  branches moved into a serial flow) would run the later steps twice.

Moving keeps every task (and so every task id, which work items and timer rows carry), points
it at the new version's step, removes what the new version no longer has from the history, and
predicts the live tasks' futures again from the new version. It does not use SpiffWorkflow's
``WorkflowDiff`` / ``migrate_workflow``: they walk the depth-limited task iterator (so a long
correction loop would keep stale specs), and they reset waiting tasks, which throws away a
timer's due time; here a waiting timer keeps the moment it was set for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.util.task import TaskState

from processes.names import in_language

from .alignment import Alignment
from .state import dump_workflow, load_workflow, specs_for

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
EXPECTED = TaskState.FUTURE | TaskState.PREDICTED_MASK


@dataclass
class Position:
    """One place a case waits at."""

    task_id: str
    step: str  # BPMN id in the old version ("" for an internal spec)
    name: str
    target: str | None = None  # BPMN id in the new version


@dataclass
class CaseVerdict:
    """The dry run's word on one case: can it move, and if not, why."""

    number: str
    movable: bool
    reasons: list[str] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)

    def reason(self) -> str:
        return pgettext("reasons", "; ").join(self.reasons)

    def where(self) -> str:
        return pgettext("list separator", ", ").join(in_language(p.name or p.step) for p in self.positions) or "—"


def _label(version, spec) -> str:
    """A step's name as the designer wrote it (kept in a verdict's positions)."""
    bpmn_id = spec.bpmn_id or ""
    return version.elements.get("names", {}).get(bpmn_id) or spec.bpmn_name or bpmn_id or spec.name


def _shown(version, spec) -> str:
    """A step's name in a reason: in the reader's language."""
    return in_language(_label(version, spec))


def _is_merge(spec) -> bool:
    return isinstance(spec, ParallelGateway | InclusiveGateway) and len(spec.inputs) > 1


def _waits_for(spec) -> list[tuple]:
    definition = getattr(spec, "event_definition", None)
    if definition is None:
        return []
    definitions = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    return sorted((type(d).__name__, d.name if isinstance(d, MessageEventDefinition) else "") for d in definitions)


def _branch_step(spec):
    """The step a join's incoming flow comes from, behind the gateways that route it."""
    for _hop in range(20):
        if not isinstance(spec, ExclusiveGateway | ParallelGateway | InclusiveGateway) or not spec.inputs:
            return spec
        spec = spec.inputs[0]
    return spec


def _reach(start_specs, stop) -> set:
    """Every spec reachable from ``start_specs`` along outputs; ``stop(spec)`` specs are
    reached but not passed."""
    seen, todo = set(), list(start_specs)
    while todo:
        spec = todo.pop()
        for output in spec.outputs:
            if output not in seen:
                seen.add(output)
                if not stop(output):
                    todo.append(output)
    return seen


class CasePlan:
    """The checks of one loaded workflow against an alignment; ``problems`` says what stops it."""

    def __init__(self, workflow, alignment: Alignment, task_targets: dict[str, str] | None = None):
        self.workflow = workflow
        self.alignment = alignment
        # Per live task (by id), the new step it goes to; the way back uses it to put each task
        # where it was, whatever the alignment says.
        self.task_targets = task_targets or {}
        self.old = alignment.old_version
        self.new = alignment.new_version
        self.new_spec, self.new_subprocess_specs = specs_for(self.new)
        self.problems: list[str] = []
        self.stale_subprocesses: list = []  # finished subprocesses the new version changed (left behind)
        self.positions: list[Position] = []
        self._check()

    def new_spec_of(self, task):
        name = self.task_targets.get(str(task.id)) or self.alignment.spec_name(task.task_spec.name)
        return self.new_spec.task_specs.get(name) if name else None

    def _check(self) -> None:
        if self.old.dialect != self.new.dialect:
            self.problems.append(
                _("The versions come from different modeler dialects (%(old)s / %(new)s).")
                % {"old": self.old.dialect, "new": self.new.dialect}
            )
            return
        self._check_subprocesses()
        live = [t for t in self.workflow.tasks.values() if t.has_state(LIVE | TaskState.ERROR)]
        tokens, joins = [], []
        for task in live:
            target = self._check_task(task)
            if target is None:
                continue
            if task.parent is not None and task.parent.has_state(LIVE):
                continue  # inside a live task (multi-instance children): moves with it
            (joins if _is_merge(target) else tokens).append((task, target))
        if not self.problems:
            self._check_tokens(tokens, joins)

    def _check_subprocesses(self) -> None:
        """A case inside a subprocess moves only if the new version left that subprocess as it
        was. A finished subprocess that changed is history: the move leaves it behind."""
        self.stale_subprocesses = []
        changed = self._changed_subprocesses() if self.workflow.subprocesses else set()
        for task_id, subprocess in self.workflow.subprocesses.items():
            name = subprocess.spec.name
            if name in self.new_subprocess_specs and name not in changed:
                continue
            if any(t.has_state(TaskState.NOT_FINISHED_MASK) for t in subprocess.tasks.values()):
                self.problems.append(
                    _("The case is inside subprocess %(name)s, which the new version changed.") % {"name": name}
                )
            else:
                self.stale_subprocesses.append(task_id)

    def _changed_subprocesses(self) -> set[str]:
        old_specs = specs_for(self.old)[1]
        changed = set()
        for name, spec in old_specs.items():
            ids = {s.bpmn_id for s in spec.task_specs.values() if s.bpmn_id}
            if ids & (set(self.alignment.changed) | set(self.alignment.removed) | set(self.alignment.renamed)):
                changed.add(name)
            new = self.new_subprocess_specs.get(name)
            if new is not None and {s.bpmn_id for s in new.task_specs.values() if s.bpmn_id} - ids:
                changed.add(name)
        return changed

    def _check_task(self, task):
        spec = task.task_spec
        target = self.new_spec_of(task)
        position = Position(str(task.id), spec.bpmn_id or "", _label(self.old, spec), getattr(target, "bpmn_id", None))
        if spec.bpmn_id and (task.parent is None or not task.parent.has_state(LIVE)):
            self.positions.append(position)  # the engine's own specs (an end join) are no place to show
        said = {"name": _shown(self.old, spec), "step": spec.bpmn_id, "number": self.new.number}
        if task.state == TaskState.ERROR:
            self.problems.append(_("'%(name)s' failed; deal with that first.") % said)
            return None
        if target is None:
            self.problems.append(
                _("Waits at '%(name)s' (%(step)s), which v%(number)s removed; no mapping given.") % said
            )
            return None
        if type(target) is not type(spec):
            self.problems.append(
                _("'%(name)s' is a %(old)s; in v%(number)s it is a %(new)s.")
                % {**said, "old": type(spec).__name__, "new": type(target).__name__}
            )
            return None
        if _waits_for(spec) != _waits_for(target):
            self.problems.append(_("'%(name)s' waits for other events in v%(number)s.") % said)
            return None
        if not self._same_boundary_events(task, target):
            self.problems.append(_("'%(name)s' has other boundary events in v%(number)s.") % said)
            return None
        # A multi-instance step's instances were made from its old definition; where its flows go
        # may change, nothing else. (A subprocess's content is checked in _check_subprocesses.)
        if isinstance(spec, LoopTask) and set(self.alignment.changed.get(spec.bpmn_id, [])) - {"inputs", "outputs"}:
            self.problems.append(_("'%(name)s' is a multi-instance step that v%(number)s changed.") % said)
            return None
        return target

    def _same_boundary_events(self, task, target) -> bool:
        """A task with boundary events hangs from their split; so must its new step."""
        attached = isinstance(task.parent.task_spec, BoundaryEventSplit) if task.parent is not None else False
        if not attached and not any(isinstance(i, BoundaryEventSplit) for i in target.inputs):
            return True
        return attached and self.new_spec_of(task.parent) in target.inputs

    def _check_tokens(self, tokens: list, joins: list) -> None:
        def stop_at_merges(spec):
            return _is_merge(spec)

        reaches = {task.id: _reach([target], stop_at_merges) for task, target in tokens}
        for task, target in tokens:
            for other, other_target in tokens:
                if other is task or self._alternatives(task, other):
                    continue
                if other_target in reaches[task.id]:
                    self.problems.append(
                        _(
                            "After '%(step)s' the case would reach '%(other)s' again: two tokens on one path in "
                            "v%(number)s."
                        )
                        % {
                            "step": _shown(self.new, target),
                            "other": _shown(self.new, other_target),
                            "number": self.new.number,
                        }
                    )
                    return
        to_check = {
            spec for spec in set().union(*reaches.values()) if isinstance(spec, ParallelGateway) and _is_merge(spec)
        }
        to_check |= {target for _task, target in joins if isinstance(target, ParallelGateway)}
        for join in sorted(to_check, key=lambda s: s.name):
            self._check_join(join, tokens)

    def _surviving_parent_spec(self, task):
        """The new step of the nearest ancestor the new version keeps: finished steps it removed
        are spliced out of the history, so that ancestor becomes the parent (migrate_workflow)."""
        parent = task.parent
        while parent is not None and self.new_spec_of(parent) is None and parent.state == TaskState.COMPLETED:
            parent = parent.parent
        return self.new_spec_of(parent) if parent is not None else None

    def _alternatives(self, a, b) -> bool:
        """A task and its boundary events wait side by side: whichever comes first wins."""
        return a.parent is b.parent and isinstance(a.parent.task_spec, BoundaryEventSplit)

    def _check_join(self, join, tokens: list) -> None:
        arrived = set()
        for task in self.workflow.tasks.values():
            if (
                task.has_state(TaskState.WAITING | TaskState.CANCELLED)
                and task.parent is not None
                and task.parent.state == TaskState.COMPLETED
                and self.new_spec_of(task) is join
            ):
                arrived.add(self._surviving_parent_spec(task))
        reachable = set()
        for _task, target in tokens:
            reachable |= {target} | _reach([target], lambda spec: spec is join)
        missing = [spec for spec in join.inputs if spec not in arrived and spec not in reachable]
        if missing:
            names = pgettext("list separator", ", ").join(
                dict.fromkeys(_shown(self.new, _branch_step(spec)) for spec in missing)
            )
            self.problems.append(
                _(
                    "In v%(number)s, '%(join)s' waits for '%(names)s', which this case never started: it would wait "
                    "forever."
                )
                % {"number": self.new.number, "join": _shown(self.new, join), "names": names}
            )


def migrate_workflow(plan: CasePlan):
    """Move ``plan.workflow`` onto the new version's spec; returns the workflow as reloaded from
    its saved form (which also proves that it loads). The plan must have no problems."""
    assert not plan.problems, plan.problems
    workflow = plan.workflow
    for task in list(workflow.tasks.values()):
        if task.id not in workflow.tasks:
            continue  # removed with a dropped branch
        target = plan.new_spec_of(task)
        if target is not None:
            task.task_spec = target
        elif task.state == TaskState.COMPLETED and task.parent is not None:
            _splice(workflow, task)
        else:
            workflow._remove_task(task.id)  # cancelled or never run: nothing depends on it
    for task_id in plan.stale_subprocesses:
        del workflow.subprocesses[task_id]
    for subprocess in workflow.subprocesses.values():
        subprocess.spec = plan.new_subprocess_specs[subprocess.spec.name]
        for task in subprocess.tasks.values():
            task.task_spec = subprocess.spec.task_specs[task.task_spec.name]
    workflow.spec, workflow.subprocess_specs = plan.new_spec, plan.new_subprocess_specs
    for task in [t for t in workflow.tasks.values() if t.has_state(LIVE)]:
        # What the old version predicted after a live task is dropped and predicted again from
        # the new one: a stale FUTURE child would be refused when the task completes.
        inner = task.task_spec.task_spec if isinstance(task.task_spec, LoopTask) else None
        for child in [c for c in task.children if c.has_state(EXPECTED) and c.task_spec.name != inner]:
            workflow._remove_task(child.id)
        if inner is None:
            task.task_spec._predict(task, mask=EXPECTED | task.state)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None
    return load_workflow(plan.new, dump_workflow(plan.new, workflow))


def _splice(workflow, task) -> None:
    """Take a finished step the new version does not have out of the history; its children
    hang from its parent in its place."""
    parent = task.parent
    index = parent._children.index(task.id)
    parent._children[index : index + 1] = list(task._children)
    for child in task.children:
        child._parent = parent.id
    task._children = []
    workflow.tasks.pop(task.id)
