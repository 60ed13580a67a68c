"""延期 (行政许可法 art. 42): a clerk of a department with open work in the case asks to extend its
limits, with the reason; the head of the department the service item names (``extension_approver``;
else the asking department's) approves or refuses. On approval the case's limits grow by the
item's extension (``extension_working_days``: 10 working days by default, 15 for joint handling,
45 + 15), its deadlines and light follow at once, and the notice to the applicant is recorded.

Both moves run on the one write path: the case row locked (engine.stepping.Step), the request
row written with it, the move logged, the people who decide or asked told after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from engine import clocks
from engine.decisions import required_text
from engine.errors import CaseNotRunning, InvalidInput, TaskConflict
from engine.models import Case, Event
from engine.stepping import Step, case_numbered
from workdays.calendar_store import get_calendar
from workdays.lateness import is_late
from worklists.models import StaffMember, WorkItem

from .extension_models import Extension
from .notification_models import Notification
from .notifications import do_notify
from .texts import register


def _locked_running(where, acting_user) -> Step:
    step = Step.lock(where, acting_user)
    if step is None:
        raise CaseNotRunning(_("There is no such case."))
    if step.case.status != Case.Status.RUNNING or step.case.concluded_at is not None:
        raise CaseNotRunning.of(step.case)
    return step


def approver_department(case: Case, asking_department: str) -> str:
    item = case.service_item
    return (item.extension_approver if item is not None else "") or asking_department


def approvers(department: str) -> list:
    return [
        m.user
        for m in StaffMember.objects.filter(role=StaffMember.Role.HEAD, department_id=department, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]


def do_request_extension(number: str, *, acting_user, reason: str, department: str) -> Extension:
    """Ask for the service item's extension; ``department`` is the asking clerk's (it must have
    open work in the case: the gate checks it, the lock keeps it true)."""
    reason = required_text(reason, "reason", _("An extension needs its reason."))
    with transaction.atomic():
        step = _locked_running(case_numbered(number), acting_user)
        case = step.case
        if not WorkItem.objects.filter(case=case, department_id=department, state=WorkItem.State.OPEN).exists():
            raise TaskConflict(_("your department has no open work in case %(case)s") % {"case": number})
        if is_late(case.statutory_due_at, step.now):
            raise InvalidInput(
                _("The statutory limit of case %(case)s has run out: an extension is decided before it does.")
                % {"case": number}
            )
        days = case.service_item.extension_working_days if case.service_item else 10
        try:
            with transaction.atomic():
                extension = Extension.objects.create(
                    case=case,
                    working_days=days,
                    reason=reason,
                    requested_by=acting_user,
                    requested_at=step.now,
                    approver_department=approver_department(case, department),
                )
        except IntegrityError:
            raise TaskConflict(
                _("case %(case)s already has an extension waiting for a decision") % {"case": number}
            ) from None
        step.log(
            Event.Kind.EXTENSION_REQUESTED,
            department=department,
            data={"extension": extension.pk, "working_days": days, "reason": reason},
        )
        step.save()
        facts = {"case": number, "days": days, "by": _name(acting_user), "reason": reason, "state": "requested"}
        title, body = extension_notice(facts)
        do_notify(
            [u for u in approvers(extension.approver_department) if u.pk != acting_user.pk],
            kind=Notification.Kind.EXTENSION,
            title=title,
            body=body,
            data=facts,
            link=reverse("case_detail", args=[number]),
        )
    return extension


def do_decide_extension(extension_id: int, *, acting_user, approve: bool, note: str = "") -> Extension:
    """Approve or refuse a waiting extension. Approved: the case's limits grow, its deadlines and
    light follow, and the notice to the applicant is recorded (延期通知)."""
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        where = ("(SELECT case_id FROM sla_extension WHERE id = %s)", [extension_id])
        step = _locked_running(where, acting_user)
        extension = Extension.objects.select_for_update().get(pk=extension_id)
        if extension.state != Extension.State.REQUESTED:
            raise TaskConflict(
                _("the extension of case %(case)s was already %(state)s")
                % {"case": step.case.number, "state": extension.get_state_display()}
            )
        case = step.case
        extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
        extension.decided_by, extension.decided_at, extension.decision_note = acting_user, step.now, note
        if approve:
            case.extended_working_days += extension.working_days
            clocks.extend_case_clock(case, step.now)
            extension.notice = applicant_notice(case, extension)
        extension.save()
        step.log(
            Event.Kind.EXTENSION_APPROVED if approve else Event.Kind.EXTENSION_REFUSED,
            data={
                "extension": extension.pk,
                "working_days": extension.working_days,
                "note": note,
                "statutory_due_at": case.statutory_due_at.isoformat() if case.statutory_due_at else None,
                **({"notice": extension.notice} if approve else {}),
            },
        )
        step.save()
        facts = {
            "case": case.number,
            "days": extension.working_days,
            "by": _name(acting_user),
            "reason": note,
            "state": extension.state,
        }
        title, body = extension_notice(facts)
        do_notify(
            [extension.requested_by],
            kind=Notification.Kind.EXTENSION,
            title=title,
            body=body,
            data=facts,
            link=reverse("case_detail", args=[case.number]),
        )
    return extension


def applicant_notice(case: Case, extension: Extension) -> str:
    """延期通知书's text, recorded with the approval in the site's language (the applicant reads it,
    not the head who approved it), for the applicant's side to send."""
    due = case.statutory_due_at.astimezone(get_calendar().zone) if case.statutory_due_at else None
    with translation.override(settings.LANGUAGE_CODE):
        return _notice_text(case, extension, due)


def _notice_text(case: Case, extension: Extension, due) -> str:
    return _(
        "Your application (case %(case)s) cannot be decided within the statutory limit. Under article 42 of the "
        "Administrative Licensing Law the limit is extended by %(days)s working days, to %(due)s. Reason: %(reason)s"
    ) % {
        "case": case.number,
        "days": extension.working_days,
        "due": f"{due:%Y-%m-%d}" if due else "—",
        "reason": extension.reason,
    }


def extension_notice(data: dict) -> tuple[str, str]:
    """(title, body) of an extension notice to staff, in the active language, from its facts."""
    if data["state"] == "requested":
        title = _("Extension asked: case %(case)s, %(days)s working days") % data
        body = _("%(by)s asks to extend case %(case)s by %(days)s working days. Reason: %(reason)s") % data
    elif data["state"] == "approved":
        title = _("Extension approved: case %(case)s, %(days)s working days") % data
        body = _("%(by)s approved extending case %(case)s by %(days)s working days.") % data
    else:
        title = _("Extension refused: case %(case)s") % data
        body = _("%(by)s refused extending case %(case)s.") % data
    if data["state"] != "requested" and data.get("reason"):
        body += " " + _("Note: %(note)s") % {"note": data["reason"]}
    return title, body


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


register(Notification.Kind.EXTENSION, extension_notice)
