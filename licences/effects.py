"""The licences' effects, registered with the engine when the app is ready (licences.apps).

``issues=business_licence, company_seal``: sign the case's licences of those kinds (电子证照),
once each. ``revokes=business_licence``: revoke them, record the breach against the enterprise's
credit, and flag the case's other results for their departments to review (告知承诺不实); the
reason quotes the task's ``findings`` field, where the post-check wrote what it found.

The reasons are records (the licence's revocation reason, the credit record's summary, the event
log, the review notice): a step may run in no one's request (a timer's sweep), so they are written
in the site's language (settings.LANGUAGE_CODE), whoever's step it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from engine import effects
from engine.models import Event
from processes.effects import EffectProperty, words
from processes.names import in_language
from sla import texts
from sla.notification_models import Notification

from .actions import do_flag_licence, do_issue_licence, do_revoke_licence, issuing_department, review_title
from .models import CreditRecord, Licence, LicenceKind

FINDINGS_FIELD = "findings"


def unknown_kinds(kinds: list[str]) -> list[str]:
    """Lint: every kind named is configured (证照类型 licence kinds, in the admin)."""
    known = LicenceKind.known()
    if known is None:
        return []
    return [
        _("unknown licence kind “%(kind)s” (one of: %(known)s)") % {"kind": kind, "known": ", ".join(known)}
        for kind in kinds
        if kind not in known
    ]


def issue(step, task, kinds: list[str]) -> None:
    case = step.case
    existing = set(case.licences.values_list("kind", flat=True))
    missing = [kind for kind in kinds if kind not in existing]
    if missing and not (case.enterprise_name and case.enterprise_uscc):
        # Nothing to sign a licence for: the case goes on, and a person is told what is missing.
        step.log(
            Event.Kind.RESULT_FLAGGED,
            activity=task.task_spec.bpmn_id,
            activity_name=task.task_spec.bpmn_name or "",
            data={"kinds": missing, "reason": in_site_language(no_enterprise_reason)},
        )
        return
    for kind in missing:
        do_issue_licence(case, kind=kind, log=step.log)


def revoke(step, task, kinds: list[str]) -> None:
    case = step.case
    findings = str(task.data.get(FINDINGS_FIELD) or "").strip()
    reason = in_site_language(revocation_reason, findings)
    revoked = []
    for licence in case.licences.filter(kind__in=kinds, status=Licence.Status.VALID).order_by("id"):
        revoked.append(do_revoke_licence(licence, reason=reason, log=step.log))
    record = CreditRecord.objects.create(
        enterprise_uscc=case.enterprise_uscc,
        enterprise_name=case.enterprise_name,
        kind=CreditRecord.Kind.FALSE_COMMITMENT,
        case=case,
        licence=revoked[0] if revoked else None,
        # The department that answers for the revoked licence records the breach.
        department=issuing_department(kinds[0]),
        summary=reason,
        recorded_at=step.now,
    )
    step.log(
        Event.Kind.CREDIT_RECORDED,
        activity=task.task_spec.bpmn_id,
        department=record.department,
        data={
            "credit_record": record.pk,
            "enterprise_uscc": case.enterprise_uscc,
            "licences": [licence.number for licence in revoked],
        },
    )
    flag = in_site_language(review_reason, case.number, revoked)
    others = case.licences.filter(status=Licence.Status.VALID).exclude(Q(kind__in=kinds) | Q(flagged_at__isnull=False))
    for licence in others.order_by("id"):
        facts = {"licence": licence.number, "case": case.number, "revoked": [done.number for done in revoked]}
        do_flag_licence(licence, reason=flag, at=step.now, facts=facts)
        step.log(
            Event.Kind.RESULT_FLAGGED,
            department=issuing_department(licence.kind),
            data={"licence": licence.number, "kind": licence.kind, "reason": flag},
        )


def in_site_language(build, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return build(*args)


def no_enterprise_reason() -> str:
    return _("No enterprise name or credit code: the licences were not issued.")


def revocation_reason(findings: str) -> str:
    if not findings:
        return _("The commitment was found untrue and the rectification period ended unrectified.")
    return _(
        "The commitment was found untrue and the rectification period ended unrectified. Findings: %(findings)s"
    ) % {"findings": findings}


def review_reason(number: str, revoked: list[Licence]) -> str:
    """Why the case's other licences are to be reviewed: which of its licences were revoked."""
    if not revoked:
        return _("A licence of case %(number)s was revoked for a false commitment: review this licence.") % {
            "number": number
        }
    names = [
        in_language(licence.kind_info.name, licence.kind_info.name_en) if licence.kind_info else licence.kind
        for licence in revoked
    ]
    return ngettext(
        "The %(kinds)s of case %(number)s was revoked for a false commitment: review this licence.",
        "The %(kinds)s of case %(number)s were revoked for a false commitment: review this licence.",
        len(names),
    ) % {"kinds": pgettext("list separator", ", ").join(names), "number": number}


def review_notice(facts: dict) -> tuple[str, str]:
    """(title, body) of the review notice, in the active language, from the facts it keeps."""
    revoked = list(Licence.objects.filter(number__in=facts["revoked"]).order_by("id"))
    return review_title(facts["licence"]), review_reason(facts["case"], revoked)


def register() -> None:
    effects.register(EffectProperty("issues", parse=words, check=unknown_kinds), issue)
    effects.register(EffectProperty("revokes", parse=words, check=unknown_kinds), revoke)
    texts.register(Notification.Kind.RESULT_FLAGGED, review_notice)
