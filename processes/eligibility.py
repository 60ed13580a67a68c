"""May this application take the notify-and-commit shortcut (告知承诺制)? The service item says
whether the shortcut exists at all; its eligibility decision (a DMN table) says for whom."""

from __future__ import annotations

from dataclasses import dataclass

from .decisions import DecisionError, decide, latest_decision


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str = ""
    decision: str = ""  # the decision version that answered, e.g. "notify_commit_eligibility v2"


def commitment_eligibility(service_item, application: dict) -> Eligibility:
    """The answer for an application (its fields as the intake form cleaned them)."""
    if not service_item.notify_commit_allowed:
        return Eligibility(False, "本事项不适用告知承诺制。 This service item does not offer notify-and-commit.")
    key = service_item.eligibility_decision
    if not key:
        return Eligibility(True)
    version = latest_decision(key)
    if version is None:
        # Refuse the shortcut rather than grant it unchecked: the full review is always lawful.
        return Eligibility(
            False,
            f"告知承诺适用条件（{key}）尚未部署，请按一般程序办理。 The eligibility decision '{key}' is not deployed: "
            "the application goes through the full review.",
        )
    try:
        outputs = decide(version, application)
    except DecisionError as error:
        return Eligibility(
            False,
            f"告知承诺适用条件无法判断，请按一般程序办理。 Eligibility could not be decided ({error}).",
            version.label,
        )
    if not outputs:
        return Eligibility(
            False,
            f"告知承诺适用条件（{version.label}）没有匹配的规则。 No rule of {version.label} matched this application.",
            version.label,
        )
    eligible = outputs.get("eligible")
    if isinstance(eligible, list):  # a COLLECT table: every matching row must say yes
        eligible = bool(eligible) and all(eligible)
    reason = outputs.get("reason") or ""
    if isinstance(reason, list):
        reason = " ".join(r for r in reason if r)
    return Eligibility(bool(eligible), str(reason), version.label)
