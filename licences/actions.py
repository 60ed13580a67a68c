"""The write path of e-licences: issue and revoke, each in one transaction with its event-log row."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engine.errors import InvalidInput
from engine.events import record_event
from engine.models import Case, Event
from engine.numbers import next_yearly_number
from sla.notification_models import Notification
from sla.notifications import do_notify
from worklists.models import StaffMember

from . import signing
from .models import Licence, LicenceCounter, LicenceKind

LICENCE_NUMBER_PREFIX = "BL-LIC"
# Not yet Event.Kind members (engine/models.py): the column is a CharField, choices are not enforced.
EVENT_LICENCE_ISSUED = Event.Kind.LICENCE_ISSUED
EVENT_LICENCE_REVOKED = Event.Kind.LICENCE_REVOKED
PAYLOAD_TYPE = "binglian.licence"
PAYLOAD_VERSION = 1
ISSUER = "并联 Binglian"  # data: the issuer signed into every licence


def next_licence_number(at: dt.datetime) -> str:
    return next_yearly_number(LicenceCounter, LICENCE_NUMBER_PREFIX, at)


def build_payload(*, number: str, case: Case, kind: str, kind_name: str, issued_at: dt.datetime) -> dict:
    """What the licence says. No applicant name or ID number: the licence is about the enterprise."""
    return {
        "type": PAYLOAD_TYPE,
        "v": PAYLOAD_VERSION,
        "number": number,
        "kind": kind,
        "kind_name": kind_name,
        "enterprise_name": case.enterprise_name,
        "enterprise_uscc": case.enterprise_uscc,
        "service_item": getattr(case.service_item, "code", "") or "",
        "case_number": case.number,
        "issued_at": issued_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "issuer": ISSUER,
    }


def do_issue_licence(case: Case, *, kind: str, acting_user=None, log=None) -> Licence:
    """Sign and store one licence of ``kind`` for the case, with a ``licence_issued`` event.

    ``log``: a step's own event log (engine.stepping.Step.log), when the process issues the
    licence: its event then takes its place among the step's events, in order."""
    kind_info = LicenceKind.objects.filter(code=kind).first()
    if kind_info is None:
        raise InvalidInput(
            _("Unknown licence kind '%(kind)s': add it under licence kinds in the admin.") % {"kind": kind}
        )
    if not case.enterprise_name or not case.enterprise_uscc:
        raise InvalidInput(
            _("Case %(number)s has no enterprise name or credit code to put on a licence.") % {"number": case.number}
        )
    key = signing.signing_key()  # outside the transaction: on first use this may write a key file
    with transaction.atomic():
        issued_at = timezone.now().replace(microsecond=0)
        number = next_licence_number(issued_at)
        payload = signing.canonical_json(
            build_payload(number=number, case=case, kind=kind, kind_name=kind_info.name, issued_at=issued_at)
        )
        signature, kid = signing.sign_with(key, payload)
        licence = Licence.objects.create(
            number=number,
            case=case,
            service_item=case.service_item,
            kind=kind,
            enterprise_name=case.enterprise_name,
            enterprise_uscc=case.enterprise_uscc,
            issued_at=issued_at,
            payload=payload,
            signature=signature,
            key_id=kid,
        )
        data = {"licence": number, "kind": kind, "kid": kid}
        if log is not None:
            log(EVENT_LICENCE_ISSUED, data=data)
        else:
            record_event(EVENT_LICENCE_ISSUED, case=case, actor=acting_user, at=issued_at, data=data)
    return licence


def do_revoke_licence(licence: Licence, *, reason: str, acting_user=None, log=None) -> Licence:
    """Revoke a valid licence (e.g. a false commitment found by the post-check), with a ``licence_revoked`` event."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("A revocation needs a reason."))
    with transaction.atomic():
        licence = Licence.objects.select_for_update().select_related("case").get(pk=licence.pk)
        if licence.status == Licence.Status.REVOKED:
            raise InvalidInput(_("Licence %(number)s is already revoked.") % {"number": licence.number})
        now = timezone.now()
        licence.status = Licence.Status.REVOKED
        licence.revoked_at = now
        licence.revocation_reason = reason
        licence.save(update_fields=["status", "revoked_at", "revocation_reason"])
        data = {"licence": licence.number, "kind": licence.kind, "reason": reason}
        if log is not None:
            log(EVENT_LICENCE_REVOKED, data=data)
        else:
            record_event(EVENT_LICENCE_REVOKED, case=licence.case, actor=acting_user, at=now, data=data)
    return licence


def bundle_kinds(case: Case) -> list[str]:
    """The licences a case of its service item issues (一件事一次办: the bundle's licences): those the
    latest version of the item's process issues, in the order its tasks name them."""
    item = case.service_item
    version = item.process.latest_version() if item is not None else case.version
    kinds = []
    for effect in ((version.elements or {}).get("effects") or {}).values():
        kinds += [kind for kind in effect.get("issues") or [] if kind not in kinds]
    return kinds


def issue_for_case(case: Case, *, acting_user=None) -> list[Licence]:
    """The bundle's licences for a completed case that ended without issuing them (an older
    version); those already issued are returned, not issued again."""
    if case.status != Case.Status.COMPLETED:
        raise InvalidInput(_("Case %(number)s is not completed.") % {"number": case.number})
    kinds = bundle_kinds(case)
    existing = {licence.kind: licence for licence in case.licences.all()}
    return [existing.get(kind) or do_issue_licence(case, kind=kind, acting_user=acting_user) for kind in kinds]


def issuing_department(kind: str) -> str:
    """The code of the department that answers for licences of ``kind`` ("" where none is set)."""
    return LicenceKind.objects.filter(code=kind).values_list("department", flat=True).first() or ""


def do_flag_licence(
    licence: Licence, *, reason: str, at: dt.datetime | None = None, facts: dict | None = None
) -> Licence:
    """Flag a licence for its department to review (another result of its case was revoked), and
    tell that department's staff. It stays valid: only a person decides to revoke it. The notice's
    title is stored, in the site's language (settings.LANGUAGE_CODE), as the reason is; with its
    ``facts`` the notifications page says it again in the reader's (licences.effects.review_notice)."""
    at = at or timezone.now()
    with transaction.atomic():
        Licence.objects.filter(pk=licence.pk).update(flagged_at=at, flag_reason=reason)
        licence.flagged_at, licence.flag_reason = at, reason
        department = issuing_department(licence.kind)
        staff = StaffMember.objects.filter(
            department_id=department, user__is_active=True, role__in=[StaffMember.Role.HEAD, StaffMember.Role.CLERK]
        ).select_related("user")
        with translation.override(settings.LANGUAGE_CODE):
            stored_title = review_title(licence.number)
        do_notify(
            [member.user for member in staff],
            kind=Notification.Kind.RESULT_FLAGGED,
            title=stored_title,
            body=reason,
            data=facts,
            link=reverse("case_detail", args=[licence.case.number]),
            now=at,
        )
    return licence


def review_title(number: str) -> str:
    return _("Licence to review: %(number)s") % {"number": number}
