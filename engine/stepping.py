"""One step of one case: lock, load, act, run the engine, save, project, log.

Every do_* action that changes a case runs exactly one Step inside one transaction. The case
row is locked first (SELECT ... FOR NO KEY UPDATE), so two steps of the same case never interleave:
two clerks completing the same task, or five departments finishing together, are serialised
here, and whoever comes second sees the first one's result.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from SpiffWorkflow.exceptions import SpiffWorkflowException

from processes.models import ProcessVersion
from processes.results import result_of
from workdays.clock import Light
from worklists.models import WorkItem

from . import clocks, effects, events, rows, workflow_cache
from . import workflow_tasks as wt
from .errors import CaseSuspended, EngineInconsistency, StepFailed
from .models import Case, Event, InstanceState, WaitingTimer
from .state import dump_workflow, load_workflow


def lock_case_row(where: tuple[str, list], *, skip_locked: bool = False) -> bool:
    """SELECT ... FOR NO KEY UPDATE on the case row alone: not on its version, which all cases share.

    With ``skip_locked`` a case another transaction holds is not waited for: returns False.
    Sweeps use it so that several workers never queue behind each other or behind a clerk.
    """
    sql, params = where
    return rows.fetch_one(f"SELECT id FROM engine_case WHERE id = {sql} {_for_update(skip_locked)}", params) is not None


def _for_update(skip_locked: bool, of: str = "") -> str:
    """The row lock of a step. NO KEY UPDATE, not UPDATE: two steps of a case still exclude each
    other, but a transaction that only refers to the case (a foreign key of an event row the light
    sweep logs, a claim's log) need not wait for the step, nor the step for it: with FOR UPDATE, a
    sweep holding the case's work items and logging their breaches deadlocked with a step holding
    the case and completing one of them."""
    if not rows.is_postgresql():  # SQLite locks the whole database on the first write
        return ""
    return f"FOR NO KEY UPDATE{f' OF {of}' if of else ''}{' SKIP LOCKED' if skip_locked else ''}"


# Where a step finds its case: the case id as an SQL expression, so that the case is found and
# locked in one statement (lock_case_row, Step.lock).
def case_of_item(work_item_id: int) -> tuple[str, list]:
    return "(SELECT case_id FROM worklists_workitem WHERE id = %s)", [work_item_id]


def case_of_timer(timer_id: int) -> tuple[str, list]:
    return "(SELECT case_id FROM engine_waitingtimer WHERE id = %s)", [timer_id]


def case_numbered(number: str) -> tuple[str, list]:
    return "(SELECT id FROM engine_case WHERE number = %s)", [number]


def case_with_id(case_id: int) -> tuple[str, list]:
    return "%s", [case_id]


# A version never changes after deploy; keyed by its file's hash too, so that an id reused by
# another database (tests, a restored dump) never finds another version's elements.
_versions: dict[tuple[int, str], ProcessVersion] = {}


def version_of(version_id: int, sha256: str) -> ProcessVersion:
    version = _versions.get((version_id, sha256))
    if version is None:
        version = ProcessVersion.objects.defer("bpmn_xml").get(pk=version_id)
        _versions[(version_id, sha256)] = version
    return version


_CASES = rows.table(Case)
_ITEMS = rows.table(WorkItem)
_EVENTS = rows.table(Event)
_TIMERS = rows.table(WaitingTimer)
_STATES = rows.table(InstanceState)
CASE_CLOCK_FIELDS = [
    "status",
    "ended_at",
    "end_activity",
    "steps",
    "due_at",
    "statutory_due_at",
    "yellow_at",
    "light",
    "clock_running_since",
    "clock_used_working_days",
    "concluded_at",
    "result",
    "breached_at",
    "late_working_hours",
    "suspended_at",
    "extended_working_days",
]


class Step:
    def __init__(self, case: Case, workflow, actor=None):
        self.case = case
        self.version = case.version
        self.workflow = workflow
        self.actor = actor
        self.now = timezone.now()
        self.events: list[dict] = []  # the event log's rows, {attname: value}
        self.closed_item: WorkItem | None = None  # the item a clerk closed: completed, sent back
        self.closed_otherwise = False  # closed_item was not completed (sent back, refused at intake)
        self.claimed_for: dict = {}  # task spec -> the user a task opening in this step goes to
        self.terminated_with: str | None = None  # 终止, 不予受理: the result a clerk ended the case with
        self.read_row = None  # what Step.lock read under the lock for the caller
        self.new_case = False  # set by do_start_case: its state row does not exist yet
        self.writes = rows.Writes()  # sent together at the end of save()
        # What the projection rows say now, read from the workflow as loaded (every step keeps
        # rows and state in step): after acting, only the difference is written, no SELECT needed.
        self.ready_before = {t.id for t in wt.ready_user_tasks(workflow)}
        self.timers_before = {t.id for t in wt.waiting_timers(workflow)}
        self.effects_done_before = set(effects.completed_effect_tasks(workflow, effects.effect_specs(self.version)))

    @classmethod
    def lock(
        cls,
        where: tuple[str, list] | int,
        actor=None,
        *,
        skip_locked: bool = False,
        then_read: tuple[str, list] | None = None,
        redone_if_lost: bool = False,
    ) -> Step | None:
        """Lock the case and load it; None if there is no such case, or if ``skip_locked`` and
        another transaction holds it. ``where`` is a case id or one of the ``case_…`` helpers.
        ``then_read``: a statement to run under the lock, its first row kept as ``read_row``.
        ``redone_if_lost``: nobody waits for this step's answer, and if a crash of the database
        loses it (all of it: it is one transaction) the next sweep does it again, so its commit
        does not wait for the disk (PostgreSQL's ``synchronous_commit = off``, this step only)."""
        if isinstance(where, int):
            where = case_with_id(where)
        # One statement locks the case row and reads it: once a FOR UPDATE has waited for another
        # step to commit, PostgreSQL returns the row as that step left it. It locks the case row
        # only, not its version, which all cases share (only the version's hash is read: the
        # version itself is kept per process, and its spec parsed once). The state, and what the
        # caller reads, come after the lock, in the same round trip.
        where_sql, params = where
        lock = (
            _CASES.select(
                f"{_CASES.name}.id = {where_sql}",
                extra_columns="v.sha256",
                joins="JOIN processes_processversion v ON v.id = engine_case.version_id",
                suffix=_for_update(skip_locked, of=_CASES.name),
            ),
            params,
        )
        state = (f"SELECT state FROM engine_instancestate WHERE case_id = {where_sql}", params)
        statements = [lock, state] + ([then_read] if then_read else [])
        # Only in a transaction of its own: never relax the commit of a caller's outer transaction.
        alone = rows.is_postgresql() and not rows.connection.savepoint_ids
        relaxed = [("SET LOCAL synchronous_commit TO off", [])] if redone_if_lost and alone else []
        row, state_row, *read = rows.fetch_first_rows(relaxed + statements)[len(relaxed) :]
        if row is None and not skip_locked:
            # A migration (engine.migration) changes the case's version. Having waited for it,
            # PostgreSQL rechecks the join with the version row it had read before, which no
            # longer matches, and returns nothing. Asked again, it reads the committed rows.
            row, state_row, *read = rows.fetch_first_rows(statements)
        if row is None:
            return None
        case = _CASES.instance(row)
        case.version = version_of(case.version_id, row[-1])
        workflow = workflow_cache.workflows.take(case.pk, case.steps)
        if workflow is None:
            workflow = load_workflow(case.version, state_row[0])
        step = cls(case, workflow, actor)
        step.read_row = read[0] if read else None
        return step

    def refuse_if_suspended(self) -> None:
        """The moves that take a case on (complete, send back, take back, a message) wait while it
        is suspended (中止, engine.case_moves)."""
        if self.case.suspended_at is not None:
            raise CaseSuspended.of(self.case)

    def log(self, kind: str, **fields) -> None:
        """An event of this step: written with its other writes, in the order logged."""
        self.events.append(
            events.row(kind, case_id=self.case.pk, version_id=self.version.pk, actor=self.actor, **fields)
        )

    def run_engine(self) -> None:
        try:
            wt.run_engine_steps(self.workflow)
        except SpiffWorkflowException as error:
            raise StepFailed(
                _("The process could not continue: %(error)s") % {"error": wt.failure_text(error)}
            ) from None

    def save(self) -> None:
        """Bring the projection rows up to date, close the case if it ended, and store it all."""
        self._sync_timers()
        effects.apply_effects(self)  # after the timer that caused them is logged
        ended = not wt.unfinished(self.workflow)
        ready_specs = self._sync_work_items(ended)
        # Never call workflow.is_completed(): it walks the depth-limited iterator and, in a long
        # loop, declares the workflow complete (and saves that) while a task is still ready.
        if self.workflow.completed and not ended:
            raise EngineInconsistency(
                _("Case %(case)s: the workflow reports completion with tasks still open.") % {"case": self.case.number}
            )
        if ended and self.case.status == Case.Status.RUNNING:
            self.case.end_activity = wt.reached_end(self.workflow)
            result = self.terminated_with or result_of(self.version.elements, self.case.end_activity)
            if self.case.concluded_at is None:  # ended without issuing anything (rejected): concluded now
                effects.conclude(self, result=result)
            # Ended by a clerk: terminated or withdrawn is a cancellation; not accepted is a decision.
            cancelled = self.terminated_with in (Case.Result.TERMINATED, Case.Result.WITHDRAWN)
            self.case.status = Case.Status.CANCELLED if cancelled else Case.Status.COMPLETED
            self.case.suspended_at = None
            self.case.ended_at = timezone.now()
            self.log(
                Event.Kind.CASE_ENDED,
                activity=self.case.end_activity,
                activity_name=self.version.elements["names"].get(self.case.end_activity, ""),
            )
        elif self.case.status == Case.Status.RUNNING and self.case.concluded_at is None:
            # The clock stands while the case is suspended, or while a task that stops it is open.
            stopped = self.case.suspended_at is not None or any(
                clocks.stops_case_clock(self.version.user_task(spec)) for spec in ready_specs
            )
            change = clocks.update_case_clock(self, stopped=stopped, now=self.now)
            if change:
                self.log(
                    change,
                    data={
                        "used_working_days": self.case.clock_used_working_days,
                        "due_at": self.case.due_at.isoformat() if self.case.due_at and not stopped else None,
                    },
                )
        self.case.steps += 1
        self.writes.add(_CASES.update(self.case, CASE_CLOCK_FIELDS))
        text = dump_workflow(self.version, self.workflow)
        state = InstanceState(case=self.case, state=text, size=len(text), saved_at=self.now)
        if self.new_case:
            self.writes.add(_STATES.insert([state]))
            state._state.adding = False
            self.case.instance = state
        else:
            self.writes.add(_STATES.update(state, ["state", "size", "saved_at"]))
        if self.events:
            self.writes.add(events.insert(self.events))
        self.writes.flush()
        workflow_cache.workflows.put_on_commit(self.case.pk, self.case.steps, self.workflow)

    def _sync_work_items(self, ended: bool) -> list[str]:
        """Open a WorkItem per new ready user task, cancel those the process took away; returns
        the task specs that are open after the step."""
        ready = {t.id: t for t in wt.ready_user_tasks(self.workflow)}
        gone = self.ready_before - set(ready)
        if self.closed_item is not None:
            gone.discard(self.closed_item.task_id)
        if gone:
            # Cancelled by the process (a boundary event, a terminate end): not by a clerk.
            cancelled = WorkItem.objects.filter(task_id__in=gone, state=WorkItem.State.OPEN)
            closed = list(cancelled.only("id", "task_spec", "name", "department_id", "task_id", "due_at"))
            cancelled.update(state=WorkItem.State.CANCELLED, completed_at=self.now)
            for item in closed:
                # A task the process took away after its due moment was late all the same.
                clocks.close_task_clock(self, item, self.now, [])
                self.log(
                    Event.Kind.TASK_CANCELLED,
                    activity=item.task_spec,
                    activity_name=item.name,
                    department=item.department_id,
                    task_id=item.task_id,
                    work_item=item.pk,
                )
        self._close_opinion_requests(gone)
        new_tasks = [task for task_id, task in ready.items() if task_id not in self.ready_before]
        # A new case has no earlier rounds to ask about.
        earlier = new_tasks and not self.new_case
        used_before = (
            clocks.days_used_before(self.case.pk, [t.task_spec.bpmn_id for t in new_tasks], also=self.closed_item)
            if earlier
            else {}
        )
        new_items = [self._work_item(task, used_before.get(task.task_spec.bpmn_id, 0)) for task in new_tasks]
        ids = rows.new_ids(WorkItem, len(new_items))
        if ids is None:  # no sequence to number them in advance: written now, numbered by the database
            WorkItem.objects.bulk_create(new_items)
        elif new_items:
            for item, pk in zip(new_items, ids, strict=True):
                item.pk = pk
            self.writes.add(_ITEMS.insert(new_items, with_pk=True))
        for item in new_items:
            fields = dict(
                activity=item.task_spec,
                activity_name=item.name,
                department=item.department_id,
                task_id=item.task_id,
                work_item=item.pk,
            )
            used = used_before.get(item.task_spec, 0)
            if used:
                self.log(Event.Kind.CLOCK_RESUMED, **fields, data={"used_working_days": used})
            self.log(
                Event.Kind.TASK_OPENED, **fields, data={"due_at": item.due_at.isoformat() if item.due_at else None}
            )
            if item.light == Light.RED:  # opened with no time left (after a correction), past close of office
                clocks.log_task_breach(self, item, new=True)
        return [t.task_spec.bpmn_id for t in ready.values()]

    def _close_opinion_requests(self, gone: set) -> None:
        """加签: the opinions a closed task asked for close with it (engine.opinions). Rare rows:
        one indexed query, and only when a task closed in this step."""
        # A completion never leaves one open (engine.actions refuses it): only a task the process
        # took away, or one a clerk closed otherwise (sent back, refused at intake), may have some.
        closed = set(gone)
        if self.closed_item is not None and self.closed_otherwise:
            closed.add(self.closed_item.task_id)
        if not closed:
            return
        requests = WorkItem.objects.filter(asked_for__task_id__in=closed, asked_for__case_id=self.case.pk,
                                           state=WorkItem.State.OPEN)  # fmt: skip
        for item in list(requests.only("id", "task_spec", "name", "department_id", "task_id", "due_at")):
            self.log(Event.Kind.TASK_CANCELLED, activity=item.task_spec, activity_name=item.name,
                     department=item.department_id, task_id=item.task_id, work_item=item.pk)  # fmt: skip
        if requests.update(state=WorkItem.State.CANCELLED, completed_at=self.now):
            WorkItem.objects.filter(task_id__in=closed, case_id=self.case.pk).update(open_opinions=0)

    def _work_item(self, task, used_days: int) -> WorkItem:
        """A new work item with its deadlines, less the working days it used in earlier rounds."""
        spec = task.task_spec.bpmn_id
        meta = clocks.with_post_check_window(self.version.user_task(spec), self.case)
        promised, statutory = clocks.task_deadlines(meta, self.now, used_days)
        holder = self.claimed_for.get(spec)
        return WorkItem(
            assignee=holder,
            claimed_at=self.now if holder is not None else None,
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
        for ended, column in ((fired, "fired_at"), (cancelled, "cancelled_at")):
            if ended:
                self.writes.add(self._end_timers(ended, column))
        new_timers = []
        for task_id, task in waiting.items():
            if task_id not in self.timers_before:
                bpmn_id, name = wt.timer_label(task)
                new_timers.append(
                    WaitingTimer(
                        case=self.case,
                        task_id=task_id,
                        task_spec=bpmn_id,
                        name=name,
                        due_at=wt.timer_due_at(task) or self.now,
                    )
                )
        if new_timers:
            self.writes.add(_TIMERS.insert(new_timers))

    def _end_timers(self, task_ids: list, column: str) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(task_ids))
        return (
            f"UPDATE {_TIMERS.name} SET {column} = %s WHERE case_id = %s AND fired_at IS NULL "
            f"AND cancelled_at IS NULL AND task_id IN ({marks})",
            [_TIMERS.value_of(column, self.now), self.case.pk, *(_TIMERS.value_of("task_id", t) for t in task_ids)],
        )

    def task_or_none(self, task_id):
        try:
            return self.workflow.get_task_from_id(task_id)
        except Exception:  # the task was removed with a cancelled subprocess
            return None
