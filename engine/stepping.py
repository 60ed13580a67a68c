"""One step of one case: lock, load, act, run the engine, save, project, log.

Every do_* action that changes a case runs exactly one Step inside one transaction. The case
row is locked first (SELECT ... FOR UPDATE), so two steps of the same case never interleave:
two clerks completing the same task, or five departments finishing together, are serialised
here, and whoever comes second sees the first one's result.
"""

from __future__ import annotations

from django.db.models import Subquery
from django.utils import timezone
from SpiffWorkflow.exceptions import SpiffWorkflowException

from worklists.models import WorkItem

from . import clocks, effects, workflow_cache
from . import workflow_tasks as wt
from .errors import EngineInconsistency, StepFailed
from .events import make_event
from .models import Case, Event, InstanceState, WaitingTimer
from .state import dump_workflow, load_workflow


def lock_case_row(case_id: int, *, skip_locked: bool = False) -> bool:
    """SELECT ... FOR UPDATE on the case row alone: not on its version, which all cases share.

    With ``skip_locked`` a case another transaction holds is not waited for: returns False.
    Sweeps use it so that several workers never queue behind each other or behind a clerk.
    """
    rows = Case.objects.select_for_update(skip_locked=skip_locked).filter(pk=case_id).values_list("pk", flat=True)
    return bool(list(rows))


def case_of(rows, column: str = "case_id") -> Subquery:
    """The case of the first of ``rows`` (a work item, a timer, a case by its number) as a subquery,
    so that the case is found and locked in one statement (lock_case_row, Step.lock)."""
    return Subquery(rows.values(column)[:1])


class Step:
    def __init__(self, case: Case, workflow, actor=None):
        self.case = case
        self.version = case.version
        self.workflow = workflow
        self.actor = actor
        self.now = timezone.now()
        self.events: list[Event] = []
        self.completed_item: WorkItem | None = None
        self.new_case = False  # set by do_start_case: its state row does not exist yet
        # What the projection rows say now, read from the workflow as loaded (every step keeps
        # rows and state in step): after acting, only the difference is written, no SELECT needed.
        self.ready_before = {t.id for t in wt.ready_user_tasks(workflow)}
        self.timers_before = {t.id for t in wt.waiting_timers(workflow)}
        self.effects_done_before = set(effects.completed_effect_tasks(workflow, effects.effect_specs(self.version)))

    @classmethod
    def lock(cls, case_id, actor=None, *, skip_locked: bool = False) -> Step | None:
        """Lock the case and load it; None if there is no such case, or if ``skip_locked`` and
        another transaction holds it. ``case_id`` may be a subquery (``case_of``)."""
        # One statement locks the case row and reads it: once a FOR UPDATE has waited for another
        # step to commit, PostgreSQL returns the row as that step left it. It locks the case row
        # only, not its version, which all cases share (its file is left out: the spec is parsed
        # once per process). The state is read after the lock, in its own query, when this
        # process does not hold the case's workflow already.
        rows = (Case.objects.select_for_update(skip_locked=skip_locked, of=("self",)).select_related("version")
                .defer("version__bpmn_xml").filter(pk=case_id))  # fmt: skip
        case = next(iter(rows), None)
        if case is None and not skip_locked:
            # A migration (engine.migration) changes the case's version. Having waited for it,
            # PostgreSQL rechecks the join with the version row it had read before, which no
            # longer matches, and returns nothing. Asked again, it reads the committed rows.
            case = next(iter(rows.all()), None)
        if case is None:
            return None
        workflow = workflow_cache.workflows.take(case.pk, case.steps)
        if workflow is None:
            state = InstanceState.objects.values_list("state", flat=True).get(case_id=case.pk)
            workflow = load_workflow(case.version, state)
        return cls(case, workflow, actor)

    def log(self, kind: str, **fields) -> None:
        self.events.append(make_event(kind, case=self.case, version=self.version, actor=self.actor, at=timezone.now(), **fields))

    def run_engine(self) -> None:
        try:
            wt.run_engine_steps(self.workflow)
        except SpiffWorkflowException as error:
            raise StepFailed(f"the process could not continue: {error}") from None

    def save(self) -> None:
        """Bring the projection rows up to date, close the case if it ended, and store it all."""
        self._sync_timers()
        effects.apply_effects(self)  # after the timer that caused them is logged
        ended = not wt.unfinished(self.workflow)
        ready_specs = self._sync_work_items(ended)
        # Never call workflow.is_completed(): it walks the depth-limited iterator and, in a long
        # loop, declares the workflow complete (and saves that) while a task is still ready.
        if self.workflow.completed and not ended:
            raise EngineInconsistency(f"case {self.case.number}: the workflow reports completion with tasks still open")
        if ended and self.case.status == Case.Status.RUNNING:
            if self.case.concluded_at is None:  # ended without issuing anything (rejected): concluded now
                effects.conclude(self)
            self.case.status = Case.Status.COMPLETED
            self.case.ended_at = timezone.now()
            self.case.end_activity = wt.reached_end(self.workflow)
            self.log(Event.Kind.CASE_ENDED, activity=self.case.end_activity,
                     activity_name=self.version.elements["names"].get(self.case.end_activity, ""))
        elif self.case.status == Case.Status.RUNNING and self.case.concluded_at is None:
            stopped = any(clocks.stops_case_clock(self.version.user_task(spec)) for spec in ready_specs)
            change = clocks.update_case_clock(self.case, stopped=stopped, now=self.now)
            if change:
                self.log(change, data={"used_working_days": self.case.clock_used_working_days,
                                       "due_at": self.case.due_at.isoformat() if self.case.due_at and not stopped else None})
        self.case.steps += 1
        self.case.save(update_fields=["status", "ended_at", "end_activity", "steps", "due_at", "statutory_due_at",
                                      "yellow_at", "light", "clock_running_since", "clock_used_working_days", "concluded_at"])
        text = dump_workflow(self.version, self.workflow)
        if self.new_case:
            self.case.instance = InstanceState.objects.create(case=self.case, state=text, size=len(text))
        else:
            InstanceState.objects.filter(case=self.case).update(state=text, size=len(text), saved_at=self.now)
        Event.objects.bulk_create(self.events)
        workflow_cache.workflows.put_on_commit(self.case.pk, self.case.steps, self.workflow)

    def _sync_work_items(self, ended: bool) -> list[str]:
        """Open a WorkItem per new ready user task, cancel those the process took away; returns
        the task specs that are open after the step."""
        ready = {t.id: t for t in wt.ready_user_tasks(self.workflow)}
        gone = self.ready_before - set(ready)
        if self.completed_item is not None:
            gone.discard(self.completed_item.task_id)
        if gone:
            # Cancelled by the process (a boundary event, a terminate end): not by a clerk.
            cancelled = WorkItem.objects.filter(task_id__in=gone, state=WorkItem.State.OPEN)
            for item in cancelled.only("id", "task_spec", "name", "department_id", "task_id"):
                self.log(Event.Kind.TASK_CANCELLED, activity=item.task_spec, activity_name=item.name,
                         department=item.department_id, task_id=item.task_id, work_item=item.pk)
            cancelled.update(state=WorkItem.State.CANCELLED, completed_at=self.now)
        new_tasks = [task for task_id, task in ready.items() if task_id not in self.ready_before]
        # A new case has no earlier rounds to ask about.
        earlier = new_tasks and not self.new_case
        used_before = clocks.days_used_before(self.case.pk, [t.task_spec.bpmn_id for t in new_tasks]) if earlier else {}
        new_items = [self._work_item(task, used_before.get(task.task_spec.bpmn_id, 0)) for task in new_tasks]
        for item in WorkItem.objects.bulk_create(new_items):
            fields = dict(activity=item.task_spec, activity_name=item.name, department=item.department_id,
                          task_id=item.task_id, work_item=item.pk)  # fmt: skip
            used = used_before.get(item.task_spec, 0)
            if used:
                self.log(Event.Kind.CLOCK_RESUMED, **fields, data={"used_working_days": used})
            self.log(Event.Kind.TASK_OPENED, **fields, data={"due_at": item.due_at.isoformat() if item.due_at else None})
        return [t.task_spec.bpmn_id for t in ready.values()]

    def _work_item(self, task, used_days: int) -> WorkItem:
        """A new work item with its deadlines, less the working days it used in earlier rounds."""
        spec = task.task_spec.bpmn_id
        meta = clocks.with_post_check_window(self.version.user_task(spec), self.case)
        promised, statutory = clocks.task_deadlines(meta, self.now, used_days)
        return WorkItem(
            case=self.case,
            version=self.version,
            service_item_id=self.case.service_item_id,
            task_id=task.id,
            task_spec=task.task_spec.bpmn_id,
            name=meta.get("name") or task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            department_id=meta.get("department"),
            candidate_group=meta.get("candidate_group", ""),
            opened_at=self.now,
            limit_working_days=meta.get("promised_limit_working_days"),
            limit_working_hours=meta.get("limit_working_hours"),
            due_at=promised.due_at,
            statutory_due_at=statutory.due_at,
            yellow_at=promised.yellow_at,
            light=promised.light(self.now),
        )

    def _sync_timers(self) -> None:
        waiting = {t.id: t for t in wt.waiting_timers(self.workflow)}
        fired, cancelled = [], []
        for task_id in self.timers_before - set(waiting):
            task = self.task_or_none(task_id)
            if task is not None and wt.timer_fired(task):
                fired.append(task_id)
                bpmn_id, name = wt.timer_label(task)
                self.log(Event.Kind.TIMER_FIRED, activity=bpmn_id, activity_name=name, task_id=task_id)
            else:
                cancelled.append(task_id)
        pending = WaitingTimer.objects.filter(case=self.case, fired_at=None, cancelled_at=None)
        if fired:
            pending.filter(task_id__in=fired).update(fired_at=self.now)
        if cancelled:
            pending.filter(task_id__in=cancelled).update(cancelled_at=self.now)
        new_timers = []
        for task_id, task in waiting.items():
            if task_id not in self.timers_before:
                bpmn_id, name = wt.timer_label(task)
                new_timers.append(WaitingTimer(
                    case=self.case, task_id=task_id, task_spec=bpmn_id, name=name,
                    due_at=wt.timer_due_at(task) or self.now,
                ))  # fmt: skip
        if new_timers:
            WaitingTimer.objects.bulk_create(new_timers)

    def task_or_none(self, task_id):
        try:
            return self.workflow.get_task_from_id(task_id)
        except Exception:  # the task was removed with a cancelled subprocess
            return None
