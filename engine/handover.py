"""Handing a task to someone else: 转办 transfer it, 委派 delegate it. Moves of the one write path
(engine.actions): the case row locked, the task still open, the move logged; the process does not
move, so no workflow is loaded.

- 转办 within the department: the clerk holding the task hands it to a colleague, who holds it now.
- 转办 to another department: offered with the reason; it waits for that department head, who
  accepts (the task goes to their department's queue) or refuses (it stays where it was). The
  holder may complete it meanwhile; the offer then lapses with the task.
- 委派: the holder asks someone (any department) to do the work; it shows in their "delegated to
  me" list and comes back when they return it (or the holder recalls it). Only the holder
  completes the task, and not while it is out.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.names import in_language
from worklists.models import Department, StaffMember, WorkItem
from worklists.people import assignable

from .actions import lock_open_item, log_item_event
from .decisions import plain_text, required_text
from .errors import InvalidInput, TaskConflict
from .models import Event


def _holder_only(item: WorkItem, acting_user) -> None:
    if item.assignee_id != getattr(acting_user, "pk", None):
        raise TaskConflict(
            _("only the clerk holding task '%(task)s' may hand it on") % {"task": in_language(item.name)}
        )
    if item.delegate_id:
        raise TaskConflict(
            _("task '%(task)s' is delegated to %(who)s; recall it first")
            % {"task": in_language(item.name), "who": item.delegate}
        )


def _name(user) -> str:
    return user.get_username() if user is not None else None


# 转办 ------------------------------------------------------------------------------------------------


def do_transfer_task(
    work_item_id: int, *, acting_user, to_user=None, to_department: str = "", reason: str = ""
) -> WorkItem:
    """Hand the task to a colleague (``to_user``), or offer it to another department (``to_department``,
    with the reason; its head decides)."""
    if (to_user is None) == (not to_department):
        message = _("Name a colleague or another department.")
        raise InvalidInput(message, errors={"to": message})
    if to_department:
        reason = required_text(reason, "reason", _("A transfer to another department needs its reason."))
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        _holder_only(item, acting_user)
        if to_user is not None:
            if to_user.pk == acting_user.pk or not assignable(item.department_id).filter(pk=to_user.pk).exists():
                message = _("%(who)s is not another active member of the task's department.") % {"who": to_user}
                raise InvalidInput(message, errors={"to": message})
            item.assignee, item.claimed_at = to_user, timezone.now()
            item.save(update_fields=["assignee", "claimed_at"])
            log_item_event(item, Event.Kind.TASK_TRANSFERRED, acting_user,
                           data={"from": _name(acting_user), "to": _name(to_user), "reason": plain_text(reason)})  # fmt: skip
            return item
        if to_department == item.department_id or not Department.objects.filter(code=to_department).exists():
            message = _("'%(department)s' is not another department.") % {"department": to_department}
            raise InvalidInput(message, errors={"to": message})
        if item.transfer_to_id:
            raise TaskConflict(
                _("task '%(task)s' is offered to another department already") % {"task": in_language(item.name)}
            )
        item.transfer_to_id, item.transfer_reason = to_department, reason
        item.save(update_fields=["transfer_to", "transfer_reason"])
        log_item_event(item, Event.Kind.TRANSFER_OFFERED, acting_user,
                       data={"from": item.department_id, "to": to_department, "reason": reason})  # fmt: skip
    return item


def do_decide_transfer(work_item_id: int, *, acting_user, accept: bool, note: str = "") -> WorkItem:
    """The receiving department's head accepts the offered task (into their queue) or refuses it."""
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        if not item.transfer_to_id:
            raise TaskConflict(
                _("task '%(task)s' is not offered to another department") % {"task": in_language(item.name)}
            )
        source, target = item.department_id, item.transfer_to_id
        item.transfer_to_id, item.transfer_reason = None, ""
        fields = ["transfer_to", "transfer_reason"]
        if accept:
            item.department_id, item.candidate_group = target, target
            item.assignee, item.claimed_at = None, None
            fields += ["department", "candidate_group", "assignee", "claimed_at"]
        item.save(update_fields=fields)
        kind = Event.Kind.TASK_TRANSFERRED if accept else Event.Kind.TRANSFER_REFUSED
        log_item_event(item, kind, acting_user, data={"from": source, "to": target, "note": plain_text(note)})
    return item


# 委派 ------------------------------------------------------------------------------------------------


def do_delegate_task(work_item_id: int, *, acting_user, to_user, note: str = "") -> WorkItem:
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        _holder_only(item, acting_user)
        working = StaffMember.objects.filter(user=to_user, user__is_active=True, department__isnull=False).exists()
        if to_user.pk == acting_user.pk or not working:
            message = _("%(who)s is not another active member of staff.") % {"who": to_user}
            raise InvalidInput(message, errors={"to": message})
        item.delegate, item.delegated_at = to_user, timezone.now()
        item.save(update_fields=["delegate", "delegated_at"])
        log_item_event(
            item, Event.Kind.TASK_DELEGATED, acting_user, data={"to": _name(to_user), "note": plain_text(note)}
        )
    return item


def do_return_delegation(work_item_id: int, *, acting_user, note: str = "") -> WorkItem:
    """The delegate returns the work (with what they found), or the holder recalls it."""
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        if not item.delegate_id:
            raise TaskConflict(_("task '%(task)s' is not delegated") % {"task": in_language(item.name)})
        me = getattr(acting_user, "pk", None)
        if me not in (item.delegate_id, item.assignee_id):
            raise TaskConflict(_("only the delegate or the holder of task '%(task)s' may end the delegation") % {
                "task": in_language(item.name)})  # fmt: skip
        delegate = item.delegate
        item.delegate, item.delegated_at = None, None
        item.save(update_fields=["delegate", "delegated_at"])
        log_item_event(item, Event.Kind.DELEGATION_RETURNED, acting_user,
                       data={"delegate": _name(delegate), "recalled": me != delegate.pk, "note": plain_text(note)})  # fmt: skip
    return item
