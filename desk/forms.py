"""Task forms: built from the form fields the BPMN names, so that a new field needs no code.

``task_form_class(fields)`` turns a user task's ``form_fields`` (Camunda formData, read at deploy
time into ProcessVersion.elements) into a Django form class: string, long, boolean, enum and
date fields, with the BPMN's labels and default values. ``DecisionForm`` carries the outcome and
what it says: a rejection's reason, and for a correction request (补正, 一次性告知) the list of
everything missing and the notice text.

These forms read what the browser sent into values; the rules (which outcomes, what a rejection
or a correction must say, which fields are required and of what type) are the write path's
(engine.decisions), the same for the API: what it refuses is shown on the fields it names
(``show_refusal``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from engine.decisions import CORRECTION, REJECT, check_decision
from engine.errors import InvalidInput
from processes.names import in_language
from worklists.people import assignable

MAX_TEXT = 10_000


def _yes_no(value) -> bool:
    return value in (True, "true", "True", "1", "on")


def form_field(spec: dict) -> forms.Field:
    """One Django field for one BPMN form field."""
    kind, required = spec.get("type") or "string", bool(spec.get("required"))
    # Whether an answer is required is the write path's rule; the page marks the field and lets
    # the browser help, and the engine's refusal comes back onto it.
    options = {"label": in_language(spec.get("label") or spec["id"]), "required": False}
    default = spec.get("default")
    if kind in ("long", "integer"):
        field = forms.IntegerField(min_value=-(2**63), max_value=2**63 - 1, **options)
    elif kind == "boolean":
        if required:  # the clerk must answer: yes or no, not an unticked box
            field = forms.TypedChoiceField(
                choices=[("true", _("Yes")), ("false", _("No"))], coerce=_yes_no, widget=forms.RadioSelect, **options
            )
        else:
            field = forms.BooleanField(**options)
        default = None if default is None else _yes_no(default)
    elif kind == "enum":
        choices = [(v.get("id"), v.get("name") or v.get("id")) for v in spec.get("values") or []]
        field = forms.ChoiceField(choices=([] if required else [("", "—")]) + choices, **options)
    elif kind == "date":
        field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)
    else:  # string, and any type the engine does not know: text
        field = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}), **options)
    if default not in (None, ""):
        field.initial = default
    field.bpmn_required = required
    if required:
        field.widget.attrs["aria-required"] = "true"
    return field


class TaskDataForm(forms.Form):
    """Base of the generated forms: ``data_for_engine()`` is what goes to the engine (JSON values only)."""

    def data_for_engine(self) -> dict:
        """Every field the form names, blank ones too ("" or None): the task's data then says what
        this clerk answered, not what an earlier task left under the same id."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in self.cleaned_data.items()
        }


def task_form_class(fields: list[dict]) -> type[TaskDataForm]:
    attrs = {spec["id"]: form_field(spec) for spec in fields if spec.get("id")}
    return type("TaskForm", (TaskDataForm,), attrs)


def task_form(item, data=None) -> TaskDataForm:
    """The form of a work item's task; its fields are named ``data-<field id>``."""
    fields = item.version.user_task(item.task_spec).get("form_fields") or []
    return task_form_class(fields)(data, prefix="data")


class DecisionForm(forms.Form):
    """The outcome button pressed, and what a rejection or a correction request must say."""

    outcome = forms.CharField(required=False, max_length=64)
    # What the task looked like when the page was drawn: a form from before a claim, release or
    # reassignment is refused rather than acted on (the engine refuses non-open tasks itself).
    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    reject_reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    missing_materials = forms.MultipleChoiceField(
        label=_("Missing material"), required=False, widget=forms.CheckboxSelectMultiple
    )
    missing_other = forms.CharField(
        label=_("Anything else missing or to correct (one per line)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notice = forms.CharField(
        label=_("Notice to the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, outcomes: list[str], materials: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        self.fields["missing_materials"].choices = [(m, in_language(m)) for m in materials]

    def clean(self):
        cleaned = super().clean()
        others = [line.strip() for line in cleaned.get("missing_other", "").splitlines() if line.strip()]
        cleaned["missing"] = list(cleaned.get("missing_materials") or []) + others
        return cleaned

    def data_for_engine(self) -> dict:
        """The decision's own data, stored with the task (the outcome itself as <task>_outcome)."""
        outcome = self.cleaned_data.get("outcome")
        if outcome == REJECT:
            return {"reject_reason": self.cleaned_data.get("reject_reason", "")}
        if outcome == CORRECTION:  # the same keys as the API's correction request
            return {
                "missing_materials": self.cleaned_data.get("missing", []),
                "notice": self.cleaned_data.get("notice", ""),
            }
        return {}


# Where the write path's refusal of a decision shows: its fields on the decision form.
DECISION_ERROR_FIELDS = {
    "outcome": "outcome",
    "reject_reason": "reject_reason",
    "missing_materials": "missing_materials",
    "notice": "notice",
}


def show_refusal(errors: dict, decision: DecisionForm, data_form: TaskDataForm) -> None:
    """Put the write path's refusal (InvalidInput.errors) on the fields it names; a field that
    could not even be read (not a number, not a date) keeps that error alone."""
    for key, message in errors.items():
        if key == "data":
            for field_id, text in message.items():
                if field_id not in data_form.errors:
                    data_form.add_error(field_id if field_id in data_form.fields else None, text)
        elif DECISION_ERROR_FIELDS.get(key) not in decision.errors:
            decision.add_error(DECISION_ERROR_FIELDS.get(key), message)


def refusal(item, decision: DecisionForm, data_form: TaskDataForm) -> bool:
    """Check the decision as entered by the write path's own rules (engine.decisions), before
    anything moves, so that every problem shows at once beside what the browser could not read.
    True when the page must show the forms again."""
    decision.is_valid()
    data_form.is_valid()
    task = {**item.version.user_task(item.task_spec), "name": item.name}
    try:
        check_decision(task, decision.cleaned_data.get("outcome", ""), data_of(decision, data_form))
    except InvalidInput as error:
        show_refusal(error.errors, decision, data_form)
    return bool(decision.errors or data_form.errors)


def data_of(decision: DecisionForm, data_form: TaskDataForm) -> dict:
    return {**data_form.data_for_engine(), **decision.data_for_engine()}


def seen_token(item) -> str:
    """The task's state as the page showed it: open/closed and who held it."""
    return f"{item.state}:{item.assignee_id or '-'}"


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Reassign to"),
        queryset=get_user_model().objects.none(),
        empty_label=format_lazy("— {} —", _("choose a clerk")),
    )

    def __init__(self, *args, department_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable(department_code)
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.username


class SendBackForm(forms.Form):
    """退回: to which earlier step, and why. The steps are those the write path offers now."""

    to_step = forms.ChoiceField(label=_("Send back to"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The department the case goes back to reads it on its task."),
    )

    def __init__(self, *args, choices: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [(c["spec"], in_language(c["name"])) for c in choices]
        # The reason is the write path's rule (engine.casework): checked there, shown on the field.
        self.fields["reason"].required = False


class WithdrawForm(forms.Form):
    """撤回: taking back a completed task, with an optional note of why."""

    reason = forms.CharField(label=_("Why (optional)"), max_length=2000, required=False)
