"""How a case ends (办结结果): granted, refused, not accepted, withdrawn, terminated.

A process says it on the end event a case finishes on, or on the task that concludes the case
(``concludes=true``), with the property ``result`` (one of ``Result``'s values). Where it does not,
the result is read from the element's id and name, as a person reading the diagram would
("不予许可 Rejected" is a refusal), and where nothing says it, the case is simply done (办结).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class Result(models.TextChoices):
    GRANTED = "granted", pgettext_lazy("result", "granted")
    REFUSED = "refused", pgettext_lazy("result", "refused")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("result", "not accepted")
    WITHDRAWN = "withdrawn", pgettext_lazy("result", "withdrawn")
    TERMINATED = "terminated", pgettext_lazy("result", "terminated")
    DONE = "done", pgettext_lazy("result", "done")  # an end the process does not name


# First match wins: "不予受理" before "不予", a refusal before the words of a grant.
_WORDS = (
    (Result.NOT_ACCEPTED, ("不予受理", "not_accepted", "not accepted", "notaccepted", "inadmissible")),
    (Result.REFUSED, ("不予", "驳回", "拒绝", "reject", "refus", "denied", "deny", "declin")),
    (Result.WITHDRAWN, ("撤回", "withdraw")),
    (Result.TERMINATED, ("终止", "terminat", "abort", "cancel")),
    (Result.GRANTED, ("准予", "核准", "发证", "issue", "grant", "approv")),
)


def inferred_result(element_id: str, name: str = "") -> str:
    text = f"{element_id} {name}".lower()
    for result, words in _WORDS:
        if any(word in text for word in words):
            return result
    return Result.DONE


def declared_result(props: dict) -> str | None:
    """The ``result`` property as written (validated at lint), or None."""
    value = (props.get("result") or "").strip().lower()
    return value or None


def result_of(elements: dict, element_id: str) -> str:
    """The result of ending (or concluding) on ``element_id`` of a version's elements."""
    declared = (elements.get("results") or {}).get(element_id)
    if declared:
        return declared
    return inferred_result(element_id, (elements.get("names") or {}).get(element_id, ""))
