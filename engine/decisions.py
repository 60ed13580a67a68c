"""The rules of a decision (办理结果), the same for every way in: pages, the API, commands, the driver.

A task completes with one of the outcomes its BPMN offers (the ``outcomes`` property), and with
data: the fields of its form (Camunda formData, checked by engine.formdata: no other field, the
required ones, each of its type; a task that declares no form takes the process variables its
caller sends) and what the outcome itself must say:

- ``reject`` (不予通过): its reason, ``reject_reason`` (行政许可法 art. 38: a refusal states why);
- ``correction`` (补正, 一次性告知, art. 32): everything missing at once, ``missing_materials`` (a
  list), and the notice to the applicant, ``notice``. The case clock stops until the material
  comes (engine.clocks).

The outcome words and their labels live here too: every page, list and report says them alike.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from processes.names import in_language

from .errors import InvalidInput
from .formdata import MAX_STRING, FormDataError, check_form_data, check_json_text

REJECT = "reject"
CORRECTION = "correction"
NOT_ACCEPTED = "not_accepted"
# Outcomes that let the case go on as applied for (the driver chooses them; the reports count them).
PASSING = ("approve", "accept", "pass", "resubmitted")
# The data a decision carries beside the form, by outcome.
DECISION_FIELDS = {REJECT: ("reject_reason",), CORRECTION: ("missing_materials", "notice")}
ALL_DECISION_FIELDS = frozenset(field for fields in DECISION_FIELDS.values() for field in fields)

# The words a clerk reads on the buttons, in the lists and on the case page.
OUTCOME_LABELS = {
    "approve": pgettext_lazy("outcome", "Approve"),
    REJECT: pgettext_lazy("outcome", "Reject"),
    CORRECTION: pgettext_lazy("outcome", "Request correction"),
    "accept": pgettext_lazy("outcome", "Accept"),
    "resubmitted": pgettext_lazy("outcome", "Material resubmitted"),
    "pass": pgettext_lazy("outcome", "Check passed"),
    "fail": pgettext_lazy("outcome", "Check failed"),
    NOT_ACCEPTED: pgettext_lazy("outcome", "Not accepted"),  # 不予受理, engine.case_moves
}


def outcome_label(outcome: str) -> str:
    """An outcome's words in the reader's language; an outcome the words do not know reads as its id."""
    if not outcome:
        return pgettext("outcome", "Done")
    return str(OUTCOME_LABELS.get(outcome, outcome.replace("_", " ")))


def check_decision(task: dict, outcome: str, data: dict) -> dict:
    """The data to complete ``task`` (a version's user-task description) with, checked; raises
    InvalidInput with every problem, by field: ``outcome``, the decision's own fields, and the
    form's under ``data``."""
    errors: dict = {}
    name, offered = in_language(task.get("name") or ""), task.get("outcomes") or []
    if offered and outcome not in offered:
        choices = pgettext("list separator", ", ").join(
            _("%(label)s (%(id)s)") % {"label": outcome_label(o), "id": o} for o in offered
        )
        if outcome:
            message = _("'%(task)s' does not offer the outcome '%(outcome)s'; choose one of: %(choices)s.")
        else:
            message = _("'%(task)s' needs an outcome; choose one of: %(choices)s.")
        errors["outcome"] = message % {"task": name, "outcome": outcome, "choices": choices}
    elif not offered and outcome:
        errors["outcome"] = _("'%(task)s' offers no outcomes; leave the outcome empty.") % {"task": name}
    own = DECISION_FIELDS.get(outcome, ())
    decision = {key: data[key] for key in own if key in data}
    form = {key: value for key, value in data.items() if key not in own}
    if outcome == REJECT:
        decision["reject_reason"] = plain_text(decision.get("reject_reason"))
        if not decision["reject_reason"]:
            errors["reject_reason"] = _("A rejection needs its reason.")
    if outcome == CORRECTION:
        missing = decision.get("missing_materials")
        missing = [plain_text(entry) for entry in missing] if isinstance(missing, list) else []
        decision["missing_materials"] = [entry for entry in missing if entry]
        decision["notice"] = plain_text(decision.get("notice"))
        if not decision["missing_materials"]:
            errors["missing_materials"] = _("List everything that is missing, all at once.")
        if not decision["notice"]:
            errors["notice"] = _("Write the notice to the applicant.")
    for key, value in decision.items():
        try:
            check_json_text(value)
        except ValueError as error:
            errors[key] = str(error)
    cleaned = {}
    if task.get("form_fields"):
        try:
            cleaned = check_form_data(task["form_fields"], form)
            # A field answered blank stays in the task's data as blank: it then says what this
            # clerk answered, not what an earlier task left under the same id.
            cleaned.update({key: None for key, value in form.items() if value is None and key not in cleaned})
        except FormDataError as error:
            errors["data"] = error.errors
    else:  # no form declared: the process reads its variables from whoever completes the task
        for key, value in form.items():
            try:
                check_json_text(value, key)
                cleaned[key] = value
            except ValueError as error:
                errors.setdefault("data", {})[key] = str(error)
    if errors:
        raise InvalidInput(_sentence(errors), errors=errors)
    return {**cleaned, **decision}


def required_text(value, field: str, message: str) -> str:
    """A reason the practice requires (a send-back's, a termination's): stripped, or refused."""
    text = plain_text(value)
    if not text:
        raise InvalidInput(message, errors={field: message})
    try:
        check_json_text(text)
    except ValueError as error:
        raise InvalidInput(str(error), errors={field: str(error)}) from None
    return text


def plain_text(value) -> str:
    return value.strip()[:MAX_STRING] if isinstance(value, str) else ""


def _sentence(errors: dict) -> str:
    lines = []
    for value in errors.values():
        lines += list(value.values()) if isinstance(value, dict) else [value]
    return " ".join(lines)
