"""Casework moves beyond completing a task: 退回 send a case back to an earlier step, 撤回 take
back a completed task. Part of the one write path (engine.actions): one transaction, the case row
locked, the moves logged, nothing half-done when refused. Which steps qualify is engine.rewind's.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from SpiffWorkflow.util.task import TaskState

from processes.names import in_language
from worklists.models import Copy, WorkItem
from worklists.people import assignable

from . import clocks, events, rewind
from .actions import check_open, item_step, open_work_items
from .decisions import plain_text, required_text
from .errors import CaseNotRunning, InvalidInput, TaskConflict
from .models import Case, Event
from .state import load_workflow
from .stepping import Step, case_numbered, lock_case_row


def _locked(work_item_id: int, acting_user) -> tuple[WorkItem, Step]:
    item, step = item_step(work_item_id, acting_user)
    if step.case.status != Case.Status.RUNNING:
        raise CaseNotRunning.of(step.case)
    return item, step


def _holder_only(item: WorkItem, acting_user) -> None:
    """Only the clerk who holds a task sends it back: claim it first."""
    if item.assignee_id is None:
        raise TaskConflict(_("claim task '%(task)s' before you send it back") % {"task": in_language(item.name)})
    if item.assignee_id != getattr(acting_user, "pk", None):
        raise TaskConflict(
            _("task '%(task)s' is claimed by %(who)s; ask them or the department head to release it")
            % {"task": in_language(item.name), "who": item.assignee}
        )


def _fields(item: WorkItem) -> dict:
    return {
        "activity": item.task_spec,
        "activity_name": item.name,
        "department": item.department_id,
        "task_id": item.task_id,
        "work_item": item.pk,
    }


# 退回 ----------------------------------------------------------------------------------------------


def send_back_choices(item: WorkItem, read: tuple | None = None) -> list[dict]:
    """The earlier steps an open task may be sent back to, nearest first: ``spec`` and ``name``.
    Read without a lock, for the page and the API to offer; the action checks again under it.
    ``read``: the case's (version, workflow) when the caller has read it already."""
    if item.state != WorkItem.State.OPEN:
        return []
    version, workflow = read or read_workflow(item)
    task = task_in(workflow, item.task_id)
    if task is None or task.state != TaskState.READY:
        return []
    names = version.elements.get("names", {})
    return [
        {"spec": t.spec, "name": names.get(t.spec, t.spec)} for t in rewind.send_back_targets(version, workflow, task)
    ]


def read_workflow(item: WorkItem):
    """The item's case as it stands, without a lock: (version, workflow)."""
    case = Case.objects.select_related("version", "instance").get(pk=item.case_id)
    return case.version, load_workflow(case.version, case.instance.state)


def task_in(workflow, task_id):
    try:
        return workflow.get_task_from_id(task_id)
    except Exception:  # gone with a cancelled subprocess  # noqa: BLE001
        return None


def do_send_back_task(work_item_id: int, *, acting_user, reason: str, to_step: str = "") -> WorkItem:
    """退回: the case goes back from this open task to an earlier step that already ran (``to_step``,
    or the nearest one), which opens again for its department; the work since is cancelled. A
    send-back needs its reason, which the step sent back to reads on its task."""
    reason = required_text(reason, "reason", _("A send-back needs its reason."))
    with transaction.atomic():
        item, step = _locked(work_item_id, acting_user)
        check_open(item)
        step.refuse_if_suspended()
        _holder_only(item, acting_user)
        task = step.workflow.get_task_from_id(item.task_id)
        targets = rewind.send_back_targets(step.version, step.workflow, task)
        if not targets:
            raise InvalidInput(
                _("'%(task)s' has no earlier step to send the case back to.") % {"task": in_language(item.name)},
                errors={"to_step": _("No earlier step can be redone from here.")},
            )
        target = next((t for t in targets if t.spec == to_step), None) if to_step else targets[0]
        if target is None:
            names = step.version.elements.get("names", {})
            offered = ", ".join(in_language(names.get(t.spec, t.spec)) for t in targets)
            message = _("The case cannot go back from here to '%(step)s'; it can go back to: %(offered)s.") % {
                "step": to_step,
                "offered": offered,
            }
            raise InvalidInput(message, errors={"to_step": message})
        target_name = step.version.elements.get("names", {}).get(target.spec, target.spec)
        # The step sent back to starts from the data it had then, and hears why.
        data = dict(target.task.parent.data) if target.task.parent is not None else {}
        data["send_back_reason"] = reason
        step.workflow.reset_from_task_id(target.task.id, data=data)
        step.run_engine()
        item.state, item.completed_at = WorkItem.State.SENT_BACK, step.now
        item.completed_by = acting_user if getattr(acting_user, "pk", None) else None
        late = clocks.close_task_clock(step, item, step.now, ["state", "completed_at", "completed_by_id"])
        step.closed_item, step.closed_otherwise = item, True
        step.log(
            Event.Kind.TASK_SENT_BACK,
            **_fields(item),
            data={
                "reason": reason,
                "to": target.spec,
                "to_name": target_name,
                **({"late_working_hours": item.late_working_hours} if late else {}),
            },
        )
        step.save()
    return item


# 撤回 ----------------------------------------------------------------------------------------------


def withdrawal_refusal(item: WorkItem, acting_user) -> str | None:
    """Why ``acting_user`` may not take back the completed ``item`` now, or None if they may."""
    if item.state != WorkItem.State.COMPLETED:
        return _("only a completed task can be taken back")
    if item.completed_by_id != getattr(acting_user, "pk", None):
        return _("only the clerk who completed it can take it back")
    if item.case.status != Case.Status.RUNNING:
        return _("the case is no longer running")
    return None


def can_withdraw(item: WorkItem, acting_user) -> bool:
    """For the page: is the button worth showing? (The action decides under the lock.)"""
    if withdrawal_refusal(item, acting_user) is not None:
        return False
    version, workflow = read_workflow(item)
    task = task_in(workflow, item.task_id)
    if task is None:
        return False
    open_items = {i.task_id: i for i in open_work_items(item.case_id)}
    return rewind.withdrawal_blocker(version, workflow, task, open_items) is None


def do_withdraw_task(work_item_id: int, *, acting_user, reason: str = "") -> WorkItem:
    """撤回: the clerk who completed a task takes it back while no one has acted on what followed
    (nothing claimed or completed since, no message or timer caught, no result issued). What the
    completion opened is cancelled, and the task opens again in the clerk's own inbox, with the
    working days it had left. Returns the new open item."""
    with transaction.atomic():
        item, step = _locked(work_item_id, acting_user)
        step.refuse_if_suspended()
        refusal = withdrawal_refusal(item, acting_user)
        if refusal is not None:
            raise TaskConflict(
                _("task '%(task)s' cannot be taken back: %(why)s") % {"task": in_language(item.name), "why": refusal}
            )
        task = step.task_or_none(item.task_id)
        open_items = {i.task_id: i for i in open_work_items(item.case_id)}
        if task is None or rewind.withdrawal_blocker(step.version, step.workflow, task, open_items) is not None:
            raise TaskConflict(
                _("task '%(task)s' cannot be taken back: work has gone on since it was completed")
                % {"task": in_language(item.name)}
            )
        # Written before the step opens the task again: its clock counts this round (engine.clocks).
        WorkItem.objects.filter(pk=item.pk).update(state=WorkItem.State.WITHDRAWN)
        data = dict(task.parent.data) if task.parent is not None else {}
        step.workflow.reset_from_task_id(task.id, data=data)
        step.claimed_for[item.task_spec] = acting_user
        step.run_engine()
        step.log(Event.Kind.TASK_WITHDRAWN, **_fields(item), data={"reason": (reason or "").strip()[:2000]})
        step.save()
    reopened = [i for i in open_work_items(step.case.pk) if i.task_spec == item.task_spec]
    return reopened[-1] if reopened else item


# 抄送 ----------------------------------------------------------------------------------------------


def do_copy_case(number: str, *, acting_user, people=(), departments=(), note: str = "", work_item=None) -> list:
    """抄送: the case copied for information to people, and to the active staff of departments.
    Each recipient may then read the case and finds it under "copied to me", unread; a second copy
    to the same person adds nothing. Returns the new copies."""
    note = plain_text(note)
    with transaction.atomic():
        if not lock_case_row(case_numbered(number)):
            raise CaseNotRunning(_("There is no case %(case)s.") % {"case": number})
        case = Case.objects.get(number=number)
        recipients = {user.pk: user for user in people}
        for code in departments:
            recipients.update({user.pk: user for user in assignable(code)})
        recipients.pop(getattr(acting_user, "pk", None), None)
        if not recipients:
            message = _("Name at least one person or department to copy the case to.")
            raise InvalidInput(message, errors={"people": message})
        already = set(
            Copy.objects.filter(case=case, recipient_id__in=list(recipients)).values_list("recipient_id", flat=True)
        )
        copies = Copy.objects.bulk_create(
            Copy(case=case, recipient=user, copied_by=acting_user, work_item=work_item, note=note)
            for pk, user in recipients.items()
            if pk not in already
        )
        events.write(
            [
                events.row(
                    Event.Kind.CASE_COPIED,
                    case_id=case.pk,
                    version_id=case.version_id,
                    actor=acting_user,
                    work_item=getattr(work_item, "pk", None),
                    data={
                        "to": sorted(c.recipient.get_username() for c in copies),
                        "departments": sorted(departments),
                        "note": note,
                    },
                )
            ]
        )
    return copies
