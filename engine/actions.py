"""The write path for cases. Views, the API, commands, Celery tasks and tests all call these.

Each action is one transaction: it locks the case row, loads the workflow, acts, runs the
engine steps that follow, saves state and projections, and appends to the event log. If any
part fails, all of it rolls back and the caller gets an EngineError saying why.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from SpiffWorkflow.util.task import TaskState

from processes.names import in_language
from worklists.models import WorkItem
from worklists.people import assignable

from . import clocks, events, rows
from . import workflow_tasks as wt
from .decisions import check_decision
from .errors import CaseNotRunning, InvalidInput, MessageNotExpected, TaskConflict
from .models import Case, CaseCounter, Event, WaitingTimer
from .numbers import next_yearly_number
from .state import new_workflow
from .stepping import Step, case_numbered, case_of_item, case_of_timer, lock_case_row

CASE_NUMBER_PREFIX = "BL"


def next_case_number(at: dt.datetime) -> str:
    return next_yearly_number(CaseCounter, CASE_NUMBER_PREFIX, at)


def do_start_case(
    *,
    version=None,
    service_item=None,
    acting_user=None,
    data=None,
    applicant_name="",
    applicant_id_number="",
    enterprise_name="",
    enterprise_uscc="",
    notify_commit=False,
    channel=Case.Channel.WINDOW,
) -> Case:
    """Take in one application: a new case on the service item's latest version (or ``version``),
    at the window or online (``channel``)."""
    if version is None:
        if service_item is None:
            raise InvalidInput(_("A case needs a service item or a process version."))
        version = service_item.process.latest_version()
    if version is None:
        raise InvalidInput(_("The service item's process has no deployed version."))
    case_data = {
        "applicant_name": applicant_name,
        "enterprise_name": enterprise_name,
        "notify_commit": bool(notify_commit),
        **(data or {}),
    }
    with transaction.atomic():
        now = timezone.now()
        case = Case.objects.create(
            number=next_case_number(now),
            service_item=service_item,
            version=version,
            started_at=now,
            applicant_name=applicant_name,
            applicant_id_number=applicant_id_number,
            enterprise_name=enterprise_name,
            enterprise_uscc=enterprise_uscc,
            notify_commit=bool(notify_commit),
            started_by=acting_user if getattr(acting_user, "pk", None) else None,
            channel=Case.Channel(channel),
        )
        workflow = new_workflow(version)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(case_data)
        step = Step(case, workflow, acting_user)
        step.new_case = True
        clocks.start_case_clock(case, now)
        clocks.case_past_due(step, now, clock_stops=False)  # a limit of 0 days, taken in after close of office
        step.log(
            Event.Kind.CASE_STARTED, data={"service_item": getattr(service_item, "code", None), "channel": case.channel}
        )
        step.run_engine()
        step.save()
    return case


def no_such_task(work_item_id: int) -> TaskConflict:
    return TaskConflict(_("task %(task)s does not exist") % {"task": work_item_id})


def check_open(item: WorkItem) -> WorkItem:
    """Refuse a task that is no longer open, saying how it stands. (A TaskConflict's message ends
    without a full stop: the pages put it inside a sentence of their own.)"""
    if item.state != WorkItem.State.OPEN:
        values = {
            "task": in_language(item.name),
            "case": item.case.number,
            "state": item.get_state_display(),
            "who": item.completed_by,
            "when": f"{timezone.localtime(item.completed_at):%Y-%m-%d %H:%M}" if item.completed_at else "",
        }
        if item.completed_by and item.completed_at:
            message = _("task '%(task)s' of case %(case)s is no longer open: %(state)s by %(who)s at %(when)s")
        elif item.completed_at:
            message = _("task '%(task)s' of case %(case)s is no longer open: %(state)s at %(when)s")
        else:
            message = _("task '%(task)s' of case %(case)s is no longer open: %(state)s")
        raise TaskConflict(message % values)
    return item


_ITEMS = rows.table(WorkItem)
_TIMERS = rows.table(WaitingTimer)


def _read_item(work_item_id: int) -> WorkItem:
    return _ITEMS.instance(rows.fetch_one(*_ITEMS.by_id(work_item_id)))


def open_work_items(case_id: int) -> list[WorkItem]:
    """The case's open work items, oldest first: what its clerks find of it in their lists. The
    drivers read it between every round, so it is SQL built once (engine.rows), served by the
    ``workitem_case_open`` partial index."""
    sql = _ITEMS.select(f"{_ITEMS.name}.case_id = %s AND {_ITEMS.name}.state = %s", suffix=f"ORDER BY {_ITEMS.name}.id")
    return [_ITEMS.instance(row) for row in rows.fetch_all(sql, [case_id, WorkItem.State.OPEN])]


def lock_open_item(work_item_id: int) -> WorkItem:
    """Lock the item's case row, then read the item: its state is only final under the lock."""
    if not lock_case_row(case_of_item(work_item_id)):
        raise no_such_task(work_item_id)
    # Its case, and who holds or completed it, are read only when a conflict needs to name them.
    return check_open(_read_item(work_item_id))


def item_step(work_item_id: int, acting_user) -> tuple[WorkItem, Step]:
    """A step of the item's case, the case locked and loaded, the item read under the lock (open
    or not: the caller says what it needs)."""
    step = Step.lock(case_of_item(work_item_id), acting_user, then_read=_ITEMS.by_id(work_item_id))
    if step is None:
        raise no_such_task(work_item_id)
    item = _ITEMS.instance(step.read_row)
    item.case = step.case
    return item, step


def _open_item_locked(work_item_id: int, acting_user) -> tuple[WorkItem, Step]:
    item, step = item_step(work_item_id, acting_user)
    return check_open(item), step


def refuse_with_open_opinions(item: WorkItem) -> None:
    """加签: a task is not decided while an opinion it asked for is outstanding (engine.opinions).
    The row's count says whether to look; only then are the requests read, to name them."""
    if not item.open_opinions:
        return
    waiting = list(
        WorkItem.objects.filter(asked_for_id=item.pk, state=WorkItem.State.OPEN).select_related("department")
    )
    if waiting:
        names = ", ".join(in_language(w.department.name, w.department.name_en) for w in waiting)
        raise TaskConflict(
            _("task '%(task)s' waits for opinions (%(from)s); withdraw the requests or wait for them")
            % {"task": in_language(item.name), "from": names}
        )


def do_complete_task(work_item_id: int, *, acting_user=None, outcome: str = "", data: dict | None = None) -> WorkItem:
    """Complete a user task with its form data; the outcome is stored as ``<task id>_outcome``."""
    with transaction.atomic():
        item, step = _open_item_locked(work_item_id, acting_user)
        step.refuse_if_suspended()
        if item.asked_for_id:  # 加签: an opinion request is answered, not completed (engine.opinions)
            raise TaskConflict(_("task %(task)s asks for an opinion: give the opinion instead") % {"task": item.pk})
        if item.delegate_id:  # 委派: it comes back to the holder first (engine.handover)
            raise TaskConflict(
                _("task '%(task)s' is delegated to %(who)s; it can be completed once it comes back")
                % {"task": in_language(item.name), "who": item.delegate}
            )
        refuse_with_open_opinions(item)
        if item.assignee_id and getattr(acting_user, "pk", None) and item.assignee_id != acting_user.pk:
            raise TaskConflict(
                _("task '%(task)s' is claimed by %(who)s; ask them or the department head to release it")
                % {"task": in_language(item.name), "who": item.assignee}
            )
        # The rules of a decision, whoever asks (engine.decisions): before anything moves.
        data = check_decision({**step.version.user_task(item.task_spec), "name": item.name}, outcome, data or {})
        task = step.workflow.get_task_from_id(item.task_id)
        if task.state != TaskState.READY:
            raise TaskConflict(
                _("task '%(task)s' is not ready in the process (state %(state)s)")
                % {"task": in_language(item.name), "state": TaskState.get_name(task.state)}
            )
        wt.complete_user_task(task, outcome=outcome, data=data)
        step.run_engine()
        item.state, item.completed_at, item.outcome = WorkItem.State.COMPLETED, step.now, outcome
        item.completed_by = acting_user if getattr(acting_user, "pk", None) else None
        # Completed after its due moment: the breach is this step's fact, whatever the sweep saw.
        late = clocks.close_task_clock(step, item, step.now, ["state", "completed_at", "outcome", "completed_by_id"])
        step.closed_item = item
        # The decision as entered (a rejection's reason, a correction's list of what is missing)
        # goes into the log too: timelines and reports read rows, never workflow state.
        step.log(
            Event.Kind.TASK_COMPLETED,
            activity=item.task_spec,
            activity_name=item.name,
            department=item.department_id,
            task_id=item.task_id,
            work_item=item.pk,
            outcome=outcome,
            data={"form": data or {}, **({"late_working_hours": item.late_working_hours} if late else {})},
        )
        if outcome in clocks.PAUSING_OUTCOMES and item.due_at:
            step.log(
                Event.Kind.CLOCK_PAUSED,
                activity=item.task_spec,
                activity_name=item.name,
                department=item.department_id,
                task_id=item.task_id,
                work_item=item.pk,
                data={"reason": outcome},
            )
        step.save()
    return item


def do_claim_task(work_item_id: int, *, acting_user) -> WorkItem:
    """Take a task from the department queue into one's inbox. The process does not move, so
    only the case row is locked (not the workflow loaded); of two clerks claiming, one wins."""
    if rows.is_postgresql():
        claimed = _claim_in_one_statement(work_item_id, acting_user)
        if claimed is not None:
            return claimed
        # Not claimable: the same steps as below find out why, and say it.
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        if item.assignee_id:
            raise TaskConflict(
                _("task '%(task)s' is already claimed by %(who)s")
                % {"task": in_language(item.name), "who": item.assignee}
            )
        item.assignee, item.claimed_at = acting_user, timezone.now()
        item.save(update_fields=["assignee", "claimed_at"])
        log_item_event(item, Event.Kind.TASK_CLAIMED, acting_user)
    return item


# The claim's event-log row, from the claimed item, in the claim's own statement (engine.events).
_LOG_CLAIMED = events.insert_from(
    "SELECT case_id, version_id, %s, %s, task_spec, name, department_id, %s, task_id, id, '', '{}'::jsonb FROM claimed"
)


def _claim_in_one_statement(work_item_id: int, acting_user) -> WorkItem | None:
    """On PostgreSQL a claim is one statement, its own transaction: lock the case row, claim the
    item if it is still open and unclaimed, log it. None if it was not claimable. A claim is a
    third of a case's transactions; this is one round trip where the steps below take six."""
    sql = f"""
        WITH claimed AS (
            UPDATE worklists_workitem SET assignee_id = %s, claimed_at = %s
            FROM (SELECT id FROM engine_case WHERE id = (SELECT case_id FROM worklists_workitem WHERE id = %s) FOR NO KEY UPDATE) locked
            WHERE worklists_workitem.id = %s AND worklists_workitem.case_id = locked.id
              AND worklists_workitem.state = %s AND worklists_workitem.assignee_id IS NULL
            RETURNING {_ITEMS.columns}),
        logged AS ({_LOG_CLAIMED})
        SELECT * FROM claimed"""
    now = timezone.now()
    row = rows.fetch_one(
        sql,
        [
            acting_user.pk,
            now,
            work_item_id,
            work_item_id,
            WorkItem.State.OPEN,
            Event.Kind.TASK_CLAIMED,
            now,
            acting_user.pk,
        ],
    )
    return _ITEMS.instance(row) if row is not None else None


def do_unclaim_task(work_item_id: int, *, acting_user) -> WorkItem:
    """Put a claimed task back into the department queue (by the clerk who holds it)."""
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        if item.assignee_id is None:
            raise TaskConflict(_("task '%(task)s' is not claimed") % {"task": in_language(item.name)})
        if item.assignee_id != acting_user.pk:
            raise TaskConflict(
                _("task '%(task)s' is claimed by %(who)s, not by you")
                % {"task": in_language(item.name), "who": item.assignee}
            )
        item.assignee, item.claimed_at = None, None
        item.save(update_fields=["assignee", "claimed_at"])
        log_item_event(item, Event.Kind.TASK_UNCLAIMED, acting_user)
    return item


def do_reassign_task(work_item_id: int, *, acting_user, assignee) -> WorkItem:
    """A department head hands a task to a clerk of the department (the gate checks who may hand
    it; here, under the lock, who may be given it: worklists.people.assignable)."""
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        if not assignable(item.department_id).filter(pk=assignee.pk).exists():
            message = _("%(who)s is not active staff of the task's department.") % {"who": assignee}
            raise InvalidInput(message, errors={"assignee": message})
        previous = item.assignee
        item.assignee, item.claimed_at = assignee, timezone.now()
        item.save(update_fields=["assignee", "claimed_at"])
        log_item_event(
            item,
            Event.Kind.TASK_REASSIGNED,
            acting_user,
            data={"from": getattr(previous, "username", None), "to": assignee.username},
        )
    return item


def log_item_event(item: WorkItem, kind: str, actor, data: dict | None = None) -> None:
    events.write([events.row(kind, case_id=item.case_id, version_id=item.version_id, actor=actor, activity=item.task_spec,
                             activity_name=item.name, department=item.department_id, task_id=item.task_id,
                             work_item=item.pk, data=data or {})])  # fmt: skip


def do_deliver_message(case_number: str, message_name: str, *, payload: dict | None = None, acting_user=None) -> Case:
    """A message from another system (the bank opened the account) reaches the case waiting for it."""
    with transaction.atomic():
        step = Step.lock(case_numbered(case_number), acting_user)
        if step is None:
            raise MessageNotExpected(_("There is no case %(case)s.") % {"case": case_number})
        if step.case.status != Case.Status.RUNNING:
            raise CaseNotRunning.of(step.case)
        step.refuse_if_suspended()
        caught = wt.deliver_message(step.workflow, message_name, payload or {})
        if caught is None:
            raise MessageNotExpected(
                _("Case %(case)s is not waiting for the message '%(message)s' now.")
                % {"case": case_number, "message": message_name}
            )
        task = caught[0]
        step.log(
            Event.Kind.MESSAGE_RECEIVED,
            activity=message_name,
            activity_name=version_message_label(step.version, message_name),
            data={"message": message_name, "waiting_task": task.task_spec.bpmn_id},
        )
        step.run_engine()
        step.save()
    return step.case


def version_message_label(version, message_name: str) -> str:
    """The name of the event that waits for a message, as the designer labelled it."""
    ids = version.elements.get("messages", {}).get(message_name, [])
    return version.elements["names"].get(ids[0], message_name) if ids else message_name


def do_fire_timer(timer_id: int, *, now: dt.datetime | None = None, skip_locked: bool = False) -> bool:
    """Fire one due timer. Returns False if it was fired, cancelled or not due: safe to repeat.

    ``skip_locked`` (sweeps): if the case is busy, leave the timer for the next sweep instead of
    waiting. The case row is always locked before the timer row is read, in the same order as
    every other step, so a sweep and a clerk never deadlock.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Nobody waits on a timer's firing, and a firing lost with the database is fired again by
        # the next sweep: its commit need not wait for the disk.
        step = Step.lock(
            case_of_timer(timer_id), skip_locked=skip_locked, then_read=_TIMERS.by_id(timer_id), redone_if_lost=True
        )
        if step is None:  # no such timer, or its case is busy
            return False
        timer = _TIMERS.instance(step.read_row)
        if timer.fired_at or timer.cancelled_at or timer.due_at > now:
            return False
        if step.case.suspended_at is not None:  # timers wait while the case is suspended
            return False
        task = step.task_or_none(timer.task_id)
        if task is None or task.state != TaskState.WAITING:
            timer.cancelled_at = now
            timer.save(update_fields=["cancelled_at"])
            return False
        # The row's due time rules, not SpiffWorkflow's clock.
        wt.fire_timer(step.workflow, task)
        step.run_engine()
        step.save()
    return True


def due_timer_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending timers due by ``now``, oldest first (the timer_pending_due partial index)."""
    now = now or timezone.now()
    rows = WaitingTimer.objects.filter(fired_at=None, cancelled_at=None, due_at__lte=now, case__suspended_at=None)
    rows = rows.order_by("due_at")
    return list(rows.values_list("pk", flat=True)[:limit])


def do_fire_timers(timer_ids, *, now: dt.datetime | None = None) -> int:
    """Fire the given timers; one broken timer is recorded on its row and never blocks the others."""
    fired = 0
    for timer_id in timer_ids:
        try:
            fired += do_fire_timer(timer_id, now=now, skip_locked=True)
        except Exception as error:  # noqa: BLE001 - recorded on the row, the sweep goes on
            WaitingTimer.objects.filter(pk=timer_id).update(attempts=F("attempts") + 1, last_error=str(error)[:2000])
    return fired


def do_fire_due_timers(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The embedded sweep: fire what is due now, in this process."""
    return do_fire_timers(due_timer_ids(now=now, limit=limit), now=now)
