"""加签 (征求意见 / 会签): before deciding, the clerk holding a task asks another department, or a
person, for an opinion. Moves of the one write path (engine.actions): the case row locked, the
move logged.

Each request is a work item of its own (``WorkItem.asked_for``): it waits in the asked department's
queue (or the asked person's inbox), with its own working-day limit and light, so the sweeps, the
red list and escalation treat it as any other task. The task cannot be completed while an opinion
is outstanding, unless the asker withdraws the request. An opinion request closes with its task:
if the task is sent back, cancelled or the case ends, the request is cancelled too
(engine.stepping). The opinions show on the task page and in the case's timeline.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.names import in_language
from workdays.calendar_store import get_calendar
from workdays.clock import Limit, deadline
from worklists.models import Department, StaffMember, WorkItem

from . import rows
from .actions import lock_open_item, log_item_event
from .decisions import required_text
from .errors import InvalidInput, TaskConflict
from .models import Event

OPINION = "opinion"  # the outcome of an opinion item
DEFAULT_WORKING_DAYS = 3
MAX_WORKING_DAYS = 30
_ITEMS = rows.table(WorkItem)


def do_ask_opinion(
    work_item_id: int,
    *,
    acting_user,
    question: str,
    department: str = "",
    person=None,
    working_days: int = DEFAULT_WORKING_DAYS,
) -> WorkItem:
    """Ask a department (its queue) or a person (their inbox) for an opinion on this task, due in
    ``working_days``. Returns the opinion's work item."""
    question = required_text(question, "question", _("Say what the opinion is asked on."))
    if not 1 <= int(working_days) <= MAX_WORKING_DAYS:
        message = _("An opinion is due in 1 to %(max)s working days.") % {"max": MAX_WORKING_DAYS}
        raise InvalidInput(message, errors={"working_days": message})
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        if item.asked_for_id:
            raise TaskConflict(_("an opinion request cannot ask for opinions itself"))
        if item.assignee_id != getattr(acting_user, "pk", None):
            raise TaskConflict(
                _("only the clerk holding task '%(task)s' asks for opinions") % {"task": in_language(item.name)}
            )
        if person is not None:
            member = StaffMember.objects.filter(user=person, user__is_active=True, department__isnull=False).first()
            if member is None or person.pk == acting_user.pk:
                message = _("%(who)s is not another active member of staff.") % {"who": person}
                raise InvalidInput(message, errors={"person": message})
            department = member.department_id
        elif not Department.objects.filter(code=department).exists():
            message = _("Name a department or a person to ask.")
            raise InvalidInput(message, errors={"department": message})
        now = timezone.now()
        due = deadline(now, Limit(working_days=int(working_days)), get_calendar())
        opinion = WorkItem.objects.create(
            case_id=item.case_id,
            version_id=item.version_id,
            service_item_id=item.service_item_id,
            task_id=uuid.uuid4(),  # not a task of the process: it never moves the workflow
            task_spec=item.task_spec,
            name=item.name,
            department_id=department,
            candidate_group=department,
            asked_for=item,
            assignee=person,
            claimed_at=now if person is not None else None,
            opened_at=now,
            limit_working_days=int(working_days),
            due_at=due.due_at,
            yellow_at=due.yellow_at,
            light=due.light(now),
        )
        WorkItem.objects.filter(pk=item.pk).update(open_opinions=F("open_opinions") + 1)
        facts = {"opinion": opinion.pk, "department": department, "person": getattr(person, "username", None)}
        log_item_event(item, Event.Kind.OPINION_ASKED, acting_user, data={**facts, "question": question})
        log_item_event(opinion, Event.Kind.TASK_OPENED, acting_user, data={"due_at": opinion.due_at.isoformat()})
    return opinion


def do_give_opinion(opinion_id: int, *, acting_user, opinion: str) -> WorkItem:
    """The asked department's clerk (or the asked person) gives the opinion; the request closes."""
    text = required_text(opinion, "opinion", _("Write the opinion."))
    with transaction.atomic():
        item = lock_open_item(opinion_id)
        if not item.asked_for_id:
            raise TaskConflict(_("task %(task)s is not an opinion request") % {"task": opinion_id})
        if item.assignee_id and item.assignee_id != getattr(acting_user, "pk", None):
            raise TaskConflict(_("the opinion is asked of %(who)s") % {"who": item.assignee})
        now = timezone.now()
        item.state, item.completed_at, item.outcome, item.completed_by = (
            WorkItem.State.COMPLETED,
            now,
            OPINION,
            acting_user,
        )
        if item.assignee_id is None:
            item.assignee, item.claimed_at = acting_user, now
        item.save(update_fields=["state", "completed_at", "outcome", "completed_by", "assignee", "claimed_at"])
        _one_less(item.asked_for_id)
        log_item_event(item, Event.Kind.OPINION_GIVEN, acting_user, data={"opinion": text, "for": item.asked_for_id})
    return item


def do_withdraw_opinion_request(opinion_id: int, *, acting_user) -> WorkItem:
    """The asker no longer waits for this opinion: the request is cancelled."""
    with transaction.atomic():
        item = lock_open_item(opinion_id)
        asked_for = WorkItem.objects.filter(pk=item.asked_for_id).first()
        if asked_for is None:
            raise TaskConflict(_("task %(task)s is not an opinion request") % {"task": opinion_id})
        if asked_for.assignee_id != getattr(acting_user, "pk", None):
            raise TaskConflict(_("only the clerk holding the task that asked may withdraw the request"))
        item.state, item.completed_at = WorkItem.State.CANCELLED, timezone.now()
        item.save(update_fields=["state", "completed_at"])
        _one_less(asked_for.pk)
        log_item_event(asked_for, Event.Kind.OPINION_WITHDRAWN, acting_user, data={"opinion": item.pk})
    return item


def _one_less(task_pk: int) -> None:
    WorkItem.objects.filter(pk=task_pk, open_opinions__gt=0).update(open_opinions=F("open_opinions") - 1)


def opinions_of(item: WorkItem) -> list[dict]:
    """The opinions asked for a task, oldest first: who was asked, the question, the answer."""
    asked = {
        e.data.get("opinion"): e
        for e in Event.objects.filter(work_item=item.pk, kind=Event.Kind.OPINION_ASKED).select_related("actor")
    }
    given = {
        e.work_item: e
        for e in Event.objects.filter(kind=Event.Kind.OPINION_GIVEN, work_item__in=list(asked)).select_related("actor")
    }
    out = []
    for request in item.opinions.select_related("department", "assignee").order_by("id"):
        out.append({"item": request, "asked": asked.get(request.pk), "given": given.get(request.pk)})
    return out
