"""SpiffWorkflow's BpmnWorkflow with its whole-tree questions answered in linear time.

SpiffWorkflow 3.2.0 re-walks the whole task tree with its iterator after every task that
completes (``update_waiting_tasks``), and a parallel join re-walks it for every waiting branch,
checking each of its instances' ancestry again. The iterator itself pops from the front of a list
and prepends children, so one walk over a wide fan-out is already quadratic. With boundary timers
on every department's task, a fan-out to 50 departments spent most of each step there.

``LinearWorkflow`` answers the same questions from the task dictionaries instead:
- ``get_tasks`` with no starting task and plain filters (state, manual, spec name or class)
  filters ``workflow.tasks`` and its subprocesses' tasks, and, as the iterator, skips the tasks of
  finished subprocesses when looking for unfinished ones. Unlike the iterator it has no depth
  limit, which is what hid the ready task of a long correction loop (engine.workflow_tasks);
- ``update_waiting_tasks`` updates the waiting tasks of this workflow, found the same way;
- a parallel join's threshold (``linear_join_threshold``) computes the joining task's ancestry
  and descendants once, instead of once per instance of the join.

The answers are those of the library: the same tasks, the same states, the same order of the
event log (tests/test_engine__linear_workflow.py drives cases both ways). The saved state is
unchanged too: it names the class ``BpmnWorkflow``, and loads with either.
"""

from __future__ import annotations

from types import MethodType

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter
from SpiffWorkflow.util.task import TaskState

# Filters that need no walk: a task matches or not by itself. (``end_at_spec``, ``max_depth`` and a
# starting task are about the walk, and go to the library's iterator.)
PLAIN_FILTERS = frozenset({"state", "manual", "spec_name", "spec_class", "lane", "catches_event", "updated_ts"})


class LinearWorkflow(BpmnWorkflow):
    def get_tasks(self, first_task=None, **kwargs):
        if first_task is not None or not kwargs.keys() <= PLAIN_FILTERS:
            return super().get_tasks(first_task, **kwargs)
        if kwargs.keys() <= {"state", "manual"}:  # the engine's own questions: as the filter, without it
            state, manual = kwargs.get("state", TaskState.ANY_MASK), kwargs.get("manual")
            return [
                t
                for t in self._candidates(state)
                if t._state & state and (manual is None or t.task_spec.manual == manual)
            ]
        task_filter = BpmnTaskFilter(**kwargs)
        return [task for task in self._candidates(task_filter.state) if task_filter.matches(task)]

    def _candidates(self, state: int):
        yield from self.tasks.values()
        # As BpmnTaskIterator: a finished subprocess is not searched for tasks in (or below) a
        # finished state; with any state at all, it is.
        skip_finished = state <= TaskState.FINISHED_MASK
        for parent_id, subprocess in self.subprocesses.items():
            if skip_finished:
                parent = self.get_task_from_id(parent_id)
                if parent is not None and parent.has_state(TaskState.FINISHED_MASK):
                    continue
            yield from subprocess.tasks.values()

    def update_waiting_tasks(self) -> None:
        for task in [t for t in self.tasks.values() if t._state == TaskState.WAITING]:
            task.task_spec._update(task)


def linear_join_threshold(self, my_task) -> bool:
    """ParallelGateway._check_threshold_unstructured (SpiffWorkflow 3.2.0) with the same answers:
    the inputs still waiting are those with no completed instance that belongs to this round.

    The library asks, for each instance of the join, whether it descends from ``my_task`` and
    whether ``my_task`` descends from it, each a walk up the tree. Here ``my_task``'s ancestors
    and descendants are collected once.
    """
    tasks = my_task.workflow.get_tasks(spec_name=self.name)
    waiting_inputs = set(self.inputs)
    ancestors = set()
    task = my_task.parent
    while task is not None:
        ancestors.add(task.id)
        task = task.parent
    descendants = set()
    frontier = list(my_task._children)
    while frontier:
        task_id = frontier.pop()
        descendants.add(task_id)
        child = my_task.workflow.tasks.get(task_id)
        if child is not None:
            frontier.extend(child._children)

    for task in tasks:
        if task.id in descendants:
            # The first round of a join inside a loop: do not wait for what comes only after it.
            ancestor = task
            while ancestor is not None:
                if ancestor.task_spec in waiting_inputs:
                    waiting_inputs.remove(ancestor.task_spec)
                    break
                ancestor = ancestor.parent
        elif task.id in ancestors:
            continue  # an earlier round of the loop
        elif task.parent.state == TaskState.COMPLETED and task.parent.task_spec in waiting_inputs:
            waiting_inputs.remove(task.parent.task_spec)
    return len(waiting_inputs) == 0


def linearise_joins(spec, subprocess_specs) -> None:
    """Give every parallel join of a (cached, engine-only) spec the linear threshold check."""
    for process_spec in [spec, *subprocess_specs.values()]:
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, ParallelGateway):
                task_spec._check_threshold_unstructured = MethodType(linear_join_threshold, task_spec)
