"""The write path of e-licences: issue and revoke, each in one transaction with its event-log row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from engine.errors import InvalidInput
from engine.events import record_event
from engine.models import Case, Event
from engine.numbers import next_yearly_number

from . import signing
from .models import Licence, LicenceCounter

LICENCE_NUMBER_PREFIX = "BL-LIC"
# Not yet Event.Kind members (engine/models.py): the column is a CharField, choices are not enforced.
EVENT_LICENCE_ISSUED = Event.Kind.LICENCE_ISSUED
EVENT_LICENCE_REVOKED = Event.Kind.LICENCE_REVOKED
PAYLOAD_TYPE = "binglian.licence"
PAYLOAD_VERSION = 1
ISSUER = "并联 Binglian"
# The licences a completed case of each service item issues (一件事一次办: the bundle's licences).
# Only the business licence for now; the seal and invoice records follow with the rest of issue 5.
BUNDLE_KINDS = {
    "business_registration": [Licence.Kind.BUSINESS_LICENCE],
}


def next_licence_number(at: dt.datetime) -> str:
    return next_yearly_number(LicenceCounter, LICENCE_NUMBER_PREFIX, at)


def build_payload(*, number: str, case: Case, kind: str, issued_at: dt.datetime) -> dict:
    """What the licence says. No applicant name or ID number: the licence is about the enterprise."""
    return {
        "type": PAYLOAD_TYPE,
        "v": PAYLOAD_VERSION,
        "number": number,
        "kind": kind,
        "kind_name": Licence.Kind(kind).label.split(" ")[0],
        "enterprise_name": case.enterprise_name,
        "enterprise_uscc": case.enterprise_uscc,
        "service_item": getattr(case.service_item, "code", "") or "",
        "case_number": case.number,
        "issued_at": issued_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "issuer": ISSUER,
    }


def do_issue_licence(case: Case, *, kind: str, acting_user=None) -> Licence:
    """Sign and store one licence of ``kind`` for the case, with a ``licence_issued`` event."""
    if kind not in Licence.Kind.values:
        raise InvalidInput(f"unknown licence kind {kind!r}")
    if not case.enterprise_name or not case.enterprise_uscc:
        raise InvalidInput(f"case {case.number} has no enterprise name or credit code to put on a licence")
    key = signing.signing_key()  # outside the transaction: on first use this may write a key file
    with transaction.atomic():
        issued_at = timezone.now().replace(microsecond=0)
        number = next_licence_number(issued_at)
        payload = signing.canonical_json(build_payload(number=number, case=case, kind=kind, issued_at=issued_at))
        signature, kid = signing.sign_with(key, payload)
        licence = Licence.objects.create(
            number=number, case=case, service_item=case.service_item, kind=kind,
            enterprise_name=case.enterprise_name, enterprise_uscc=case.enterprise_uscc, issued_at=issued_at,
            payload=payload, signature=signature, key_id=kid,
        )  # fmt: skip
        record_event(EVENT_LICENCE_ISSUED, case=case, actor=acting_user, at=issued_at,
                     data={"licence": number, "kind": kind, "kid": kid})  # fmt: skip
    return licence


def do_revoke_licence(licence: Licence, *, reason: str, acting_user=None) -> Licence:
    """Revoke a valid licence (e.g. a false commitment found by the post-check), with a ``licence_revoked`` event."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a revocation needs a reason")
    with transaction.atomic():
        licence = Licence.objects.select_for_update().select_related("case").get(pk=licence.pk)
        if licence.status == Licence.Status.REVOKED:
            raise InvalidInput(f"licence {licence.number} is already revoked")
        now = timezone.now()
        licence.status = Licence.Status.REVOKED
        licence.revoked_at = now
        licence.revocation_reason = reason
        licence.save(update_fields=["status", "revoked_at", "revocation_reason"])
        record_event(EVENT_LICENCE_REVOKED, case=licence.case, actor=acting_user, at=now,
                     data={"licence": licence.number, "kind": licence.kind, "reason": reason})  # fmt: skip
    return licence


def issue_for_case(case: Case, *, acting_user=None) -> list[Licence]:
    """The bundle's licences for a completed case; those already issued are returned, not issued again."""
    if case.status != Case.Status.COMPLETED:
        raise InvalidInput(f"case {case.number} is not completed")
    kinds = BUNDLE_KINDS.get(getattr(case.service_item, "code", ""), [])
    existing = {licence.kind: licence for licence in case.licences.all()}
    return [existing.get(kind) or do_issue_licence(case, kind=kind, acting_user=acting_user) for kind in kinds]
