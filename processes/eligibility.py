"""May this application take the notify-and-commit shortcut (告知承诺制)? The service item says
whether the shortcut exists at all; its eligibility decision (a DMN table) says for whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .decisions import DecisionError, decide, latest_decision
from .names import in_language


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str = ""
    decision: str = ""  # the decision version that answered, e.g. "notify_commit_eligibility v2"


def commitment_eligibility(service_item, application: dict) -> Eligibility:
    """The answer for an application (its fields as the intake form cleaned them), its reason in
    the reader's language (a table's reason may be written in both)."""
    if not service_item.notify_commit_allowed:
        return Eligibility(False, _("This service item does not offer notify-and-commit."))
    key = service_item.eligibility_decision
    if not key:
        return Eligibility(True)
    version = latest_decision(key)
    if version is None:
        # Refuse the shortcut rather than grant it unchecked: the full review is always lawful.
        return Eligibility(
            False,
            _("The eligibility decision '%(key)s' is not deployed: the application goes through the full review.")
            % {"key": key},
        )
    try:
        outputs = decide(version, application)
    except DecisionError as error:
        return Eligibility(
            False,
            _("Eligibility could not be decided (%(error)s): the application goes through the full review.")
            % {"error": error},
            version.label,
        )
    if not outputs:
        return Eligibility(
            False,
            _("No rule of %(decision)s matched this application.") % {"decision": version.label},
            version.label,
        )
    eligible = outputs.get("eligible")
    if isinstance(eligible, list):  # a COLLECT table: every matching row must say yes
        eligible = bool(eligible) and all(eligible)
    reason = outputs.get("reason") or ""
    if isinstance(reason, list):
        reason = " ".join(in_language(str(r)) for r in reason if r)
    return Eligibility(bool(eligible), in_language(str(reason)), version.label)
