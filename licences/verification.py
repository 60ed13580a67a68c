"""Answering "is this licence genuine?": by number (the public page and API) and for a pasted JSON document.

Answers carry only what is printed on the licence's face: number, kind, enterprise name, credit code,
issue date and status. Never the applicant's name or ID number (they are not in the payload either).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import signing
from .models import Licence
from .rendering import DOCUMENT_FORMAT, verification_url

VALID = "valid"
REVOKED = "revoked"
UNKNOWN = "unknown"
INVALID = "invalid"  # the record's signature does not verify: tampered data or a lost key


def public_facts(licence: Licence) -> dict:
    return {
        "number": licence.number,
        "kind": licence.kind,
        "kind_name": licence.kind_name,
        "enterprise_name": licence.enterprise_name,
        "enterprise_uscc": licence.enterprise_uscc,
        "issued_on": timezone.localdate(licence.issued_at).isoformat(),
    }


def verify_number(number: str, short_signature: str | None = None) -> dict:
    """The answer for one licence number: valid, revoked (with its date), invalid or unknown."""
    licence = Licence.objects.filter(number=number).first()
    if licence is None:
        return {"number": number, "status": UNKNOWN}
    signature_ok = signing.verify(bytes(licence.payload), licence.signature, licence.key_id)
    answer = {**public_facts(licence), "signature_valid": signature_ok, "kid": licence.key_id}
    if not signature_ok:
        answer["status"] = INVALID
    elif licence.status == Licence.Status.REVOKED:
        answer["status"] = REVOKED
        answer["revoked_on"] = timezone.localdate(licence.revoked_at).isoformat()
    else:
        answer["status"] = VALID
    if short_signature is not None:
        # A printout whose QR code carries another signature is not this licence.
        answer["qr_matches"] = short_signature == signing.short_signature(licence.signature)
    return answer


def verify_document(document) -> dict:
    """Check a pasted licence document: its signature over the canonical payload, its key, its URL.

    Any change to what the payload says, to the signature, the key id or the verification URL fails;
    only JSON whitespace is free, since the signature covers the canonical bytes. A refusal's
    ``reason`` is in the reader's language.
    """
    if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
        return {"signature_valid": False, "reason": _("not a Binglian licence document")}
    payload = document.get("licence")
    signature = document.get("signature")
    kid = document.get("kid")
    if not isinstance(payload, dict) or not isinstance(signature, str) or not isinstance(kid, str):
        return {"signature_valid": False, "reason": _("the document lacks its licence, signature or kid")}
    if document.get("alg") != "Ed25519":
        return {"signature_valid": False, "reason": _("unsupported signature algorithm")}
    if signing.find_key(kid) is None:
        return {"signature_valid": False, "reason": _("unknown signing key")}
    if not signing.verify(signing.canonical_json(payload), signature, kid):
        return {"signature_valid": False, "reason": _("the signature does not match the licence")}
    number = payload.get("number")
    answer = {"signature_valid": True, "number": number}
    licence = Licence.objects.filter(number=number).first() if isinstance(number, str) else None
    if licence is None:
        answer["status"] = UNKNOWN
        return answer
    if document.get("verify_url") != verification_url(licence) or signature != licence.signature:
        return {
            "signature_valid": False,
            "number": number,
            "reason": _("the document differs from the licence on record"),
        }
    record = verify_number(number)
    answer["status"] = record["status"]
    if "revoked_on" in record:
        answer["revoked_on"] = record["revoked_on"]
    return answer
