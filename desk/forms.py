"""Task forms: built from the form fields the BPMN names, so that a new field needs no code.

``task_form_class(fields)`` turns a user task's ``form_fields`` (Camunda formData, read at deploy
time into ProcessVersion.elements) into a Django form class: string, long, boolean, enum and
date fields, required where the BPMN says so, with the BPMN's labels and default values.
``DecisionForm`` carries the outcome and what each outcome needs: a reason for a rejection, and for
a correction request (补正, 一次性告知) the list of everything missing and the notice text.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model

from worklists.models import StaffMember

MAX_TEXT = 10_000
CORRECTION, REJECT = "correction", "reject"

# Outcome ids the reference processes use, with the words a clerk reads on the button.
OUTCOME_LABELS = {
    "approve": ("同意", "Approve"),
    "reject": ("不予通过", "Reject"),
    "correction": ("要求补正", "Request correction"),
    "accept": ("受理", "Accept"),
    "resubmitted": ("已补正", "Material resubmitted"),
    "pass": ("核查通过", "Check passed"),
    "fail": ("核查不通过", "Check failed"),
}


def outcome_label(outcome: str) -> tuple[str, str]:
    if not outcome:
        return ("完成", "Done")
    return OUTCOME_LABELS.get(outcome, (outcome, outcome.replace("_", " ")))


def _yes_no(value) -> bool:
    return value in (True, "true", "True", "1", "on")


def form_field(spec: dict) -> forms.Field:
    """One Django field for one BPMN form field."""
    kind, required = spec.get("type") or "string", bool(spec.get("required"))
    options = {"label": spec.get("label") or spec["id"], "required": required}
    default = spec.get("default")
    if kind in ("long", "integer"):
        field = forms.IntegerField(min_value=-(2**63), max_value=2**63 - 1, **options)
    elif kind == "boolean":
        if required:  # the clerk must answer: yes or no, not an unticked box
            field = forms.TypedChoiceField(choices=[("true", "是 Yes"), ("false", "否 No")], coerce=_yes_no,
                                           widget=forms.RadioSelect, **options)  # fmt: skip
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
    return field


class TaskDataForm(forms.Form):
    """Base of the generated forms: ``data_for_engine()`` is what goes to the engine (JSON values only)."""

    def data_for_engine(self) -> dict:
        """Every field the form names, blank ones too ("" or None): the task's data then says what
        this clerk answered, not what an earlier task left under the same id."""
        return {name: value.isoformat() if isinstance(value, dt.date) else value for name, value in self.cleaned_data.items()}


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
    reject_reason = forms.CharField(label="不予通过的理由 Reason for rejection", required=False, max_length=MAX_TEXT,
                                    widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    missing_materials = forms.MultipleChoiceField(label="缺少的材料 Missing material", required=False,
                                                  widget=forms.CheckboxSelectMultiple)  # fmt: skip
    missing_other = forms.CharField(label="其他缺少或需更正的内容（每行一项） Anything else missing or to correct (one per line)",
                                    required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    notice = forms.CharField(label="补正告知书 Notice to the applicant", required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, outcomes: list[str], materials: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        self.fields["missing_materials"].choices = [(m, m) for m in materials]

    def clean_outcome(self):
        outcome = self.cleaned_data["outcome"]
        if self.outcomes and outcome not in self.outcomes:
            offered = "、".join(" ".join(outcome_label(o)) for o in self.outcomes)
            raise forms.ValidationError(f"请选择办理结果：{offered}。 Choose an outcome: {offered}.")
        if not self.outcomes and outcome:
            raise forms.ValidationError("此任务没有可选结果。 This task offers no outcomes.")
        return outcome

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == REJECT and not cleaned.get("reject_reason", "").strip():
            self.add_error("reject_reason", "不予通过须写明理由。 A rejection needs its reason.")
        if outcome == CORRECTION:
            others = [line.strip() for line in cleaned.get("missing_other", "").splitlines() if line.strip()]
            cleaned["missing"] = list(cleaned.get("missing_materials") or []) + others
            if not cleaned["missing"]:
                self.add_error("missing_materials", "请一次性列出所有缺少的材料。 List everything that is missing, all at once.")
            if not cleaned.get("notice", "").strip():
                self.add_error("notice", "请填写补正告知书。 Write the notice to the applicant.")
        return cleaned

    def data_for_engine(self) -> dict:
        """The decision's own data, stored with the task (the outcome itself as <task>_outcome)."""
        outcome = self.cleaned_data["outcome"]
        if outcome == REJECT:
            return {"reject_reason": self.cleaned_data["reject_reason"].strip()}
        if outcome == CORRECTION:  # the same keys as the API's correction request
            return {"missing_materials": self.cleaned_data["missing"], "notice": self.cleaned_data["notice"].strip()}
        return {}


def seen_token(item) -> str:
    """The task's state as the page showed it: open/closed and who held it."""
    return f"{item.state}:{item.assignee_id or '-'}"


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label="改派给 Reassign to", queryset=get_user_model().objects.none(),
                                      empty_label="— 选择经办人 choose a clerk —")  # fmt: skip

    def __init__(self, *args, department_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(
            staff__department_id=department_code, staff__role__in=[StaffMember.Role.CLERK, StaffMember.Role.HEAD,
                                                                   StaffMember.Role.FRONT_DESK],
        ).order_by("username")  # fmt: skip
        self.fields["assignee"].queryset = users
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.username
