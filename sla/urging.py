"""催办: a supervisor, or the head of the task's department, urges an open task.

``do_urge_task`` is a move of the one write path (engine.actions): the case row locked, the task
still open, the urge counted on the task (``WorkItem.urges``) and logged (``task_urged``), and
the holder and the department's heads notified after commit (sla.notifications), each in their
own language (sla.texts). The count shows on the task page, the red list and the dashboard; the
escalation notices of an urged task say how often it was urged.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engine.actions import lock_open_item, log_item_event
from engine.decisions import plain_text
from engine.models import Event
from processes.names import in_language
from worklists.models import StaffMember, WorkItem

from .notification_models import Notification
from .notifications import do_notify
from .texts import register


def do_urge_task(work_item_id: int, *, acting_user, note: str = "") -> WorkItem:
    note = plain_text(note)
    with transaction.atomic():
        item = lock_open_item(work_item_id)
        now = timezone.now()
        WorkItem.objects.filter(pk=item.pk).update(urges=F("urges") + 1, last_urged_at=now)
        item.refresh_from_db(fields=["urges", "last_urged_at"])
        log_item_event(item, Event.Kind.TASK_URGED, acting_user, data={"note": note, "urges": item.urges})
        heads = StaffMember.objects.filter(
            role=StaffMember.Role.HEAD, department_id=item.department_id, user__is_active=True
        ).select_related("user")
        recipients = [m.user for m in heads] + ([item.assignee] if item.assignee_id else [])
        facts = {
            "case": item.case.number,
            "task": item.name,
            "urges": item.urges,
            "by": acting_user.get_full_name() or acting_user.get_username(),
            "note": note,
        }
        title, body = urge_notice(facts)
        do_notify(
            [r for r in recipients if r.pk != acting_user.pk],
            kind=Notification.Kind.URGE,
            title=title,
            body=body,
            data=facts,
            link=reverse("desk:task", args=[item.pk]),
            now=now,
        )
    return item


def urge_notice(data: dict) -> tuple[str, str]:
    """(title, body) of an urge, in the active language, from its facts."""
    words = {**data, "task": in_language(data["task"])}
    title = _("Urged (%(urges)s×): %(case)s “%(task)s”") % words
    body = _("%(by)s urges the task “%(task)s” of case %(case)s; it has been urged %(urges)s times.") % words
    if data.get("note"):
        body += " " + _("Note: %(note)s") % words
    return title, body


register(Notification.Kind.URGE, urge_notice)
