"""一窗受理: the front desk takes in one application once, and the case starts.

The applicant's resident ID and the enterprise's unified social credit code are checked with
their check digits (python-stdnum); every material the service item lists must be handed in,
as a PDF, JPEG or PNG within the size limit. Nothing is stored unless everything is right.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from engine.actions import do_start_case
from engine.models import Case
from processes.eligibility import commitment_eligibility
from processes.names import in_language

from .materials import MaterialError, check_upload, delete_quietly, store
from .models import Material


def clean_resident_id(value: str) -> str:
    try:
        return ric.validate(value)
    except StdnumError:
        raise forms.ValidationError(
            _("The resident ID number is not valid (check its length and last check digit).")
        ) from None


def clean_credit_code(value: str) -> str:
    try:
        return uscc.validate(value)
    except StdnumError:
        raise forms.ValidationError(
            _("The unified social credit code is not valid (18 characters, the last is a check digit).")
        ) from None


class IntakeForm(forms.Form):
    intake_key = forms.UUIDField(widget=forms.HiddenInput)
    applicant_name = forms.CharField(label=gettext_lazy("Applicant"), max_length=100)
    applicant_id_number = forms.CharField(label=gettext_lazy("Resident ID"), max_length=18)
    enterprise_name = forms.CharField(label=gettext_lazy("Enterprise name"), max_length=200)
    enterprise_uscc = forms.CharField(label=gettext_lazy("Credit code"), max_length=18)
    registered_capital = forms.DecimalField(
        label=gettext_lazy("Registered capital (10k CNY)"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    business_scope = forms.CharField(
        label=gettext_lazy("Business scope"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    address = forms.CharField(label=gettext_lazy("Registered address"), max_length=300)
    notify_commit = forms.BooleanField(label=gettext_lazy("Choose notify-and-commit"), required=False)
    # The window's own page never shows it: there the application is taken in at the window. An
    # online portal (一网通办) that submits through the API says "online"; reports count trips by it.
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Case.Channel.choices, required=False)

    def __init__(self, *args, service_item, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_item = service_item
        if not service_item.notify_commit_allowed:
            del self.fields["notify_commit"]
        for index, kind in enumerate(service_item.materials):
            self.fields[f"material_{index}"] = forms.FileField(
                label=in_language(kind),
                error_messages={"required": _("Missing material: %(kind)s.") % {"kind": in_language(kind)}},
            )

    def clean_applicant_id_number(self):
        return clean_resident_id(self.cleaned_data["applicant_id_number"])

    def clean_enterprise_uscc(self):
        return clean_credit_code(self.cleaned_data["enterprise_uscc"])

    def clean(self):
        cleaned = super().clean()
        self.checked = {}
        for index in range(len(self.service_item.materials)):
            upload = cleaned.get(f"material_{index}")
            if upload is None:
                continue
            try:
                self.checked[index] = check_upload(upload)
            except MaterialError as error:
                self.add_error(f"material_{index}", str(error))
        self.eligibility = None
        if cleaned.get("notify_commit") and not self.errors:
            # The shortcut is decided on the application as entered: the DMN table, not code.
            self.eligibility = commitment_eligibility(
                self.service_item,
                {
                    "business_scope": cleaned["business_scope"],
                    "registered_capital": float(cleaned["registered_capital"]),
                    "address": cleaned["address"],
                },
            )
            if not self.eligibility.eligible:
                self.add_error(
                    "notify_commit",
                    _("Notify-and-commit is not available: %(reason)s") % {"reason": self.eligibility.reason},
                )
        return cleaned

    def material_fields(self):
        return [self[f"material_{index}"] for index, _ in enumerate(self.service_item.materials)]


def new_intake_key() -> uuid.UUID:
    return uuid.uuid4()


def do_take_in_application(form: IntakeForm, *, acting_user) -> tuple[Case, bool]:
    """Start the case and store its materials; returns (case, created). The same form submitted
    twice returns the first case. On any failure nothing is kept: no case, no file."""
    data = form.cleaned_data
    existing = Case.objects.filter(intake_key=data["intake_key"]).first()
    if existing:
        return existing, False
    application = {
        "registered_capital": str(data["registered_capital"]),
        "business_scope": data["business_scope"],
        "address": data["address"],
    }
    if data.get("notify_commit"):
        # What the applicant signed, and which decision found them eligible: the post-check and
        # any revocation refer to exactly this.
        application["commitment"] = {
            "text": form.service_item.commitment_text,
            "decision": form.eligibility.decision if form.eligibility else "",
        }
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = do_start_case(
                service_item=form.service_item,
                acting_user=acting_user,
                applicant_name=data["applicant_name"],
                applicant_id_number=data["applicant_id_number"],
                enterprise_name=data["enterprise_name"],
                enterprise_uscc=data["enterprise_uscc"],
                notify_commit=data.get("notify_commit", False),
                channel=data.get("channel") or Case.Channel.WINDOW,
                data={
                    "registered_capital": float(data["registered_capital"]),
                    "business_scope": data["business_scope"],
                },
            )
            Case.objects.filter(pk=case.pk).update(intake_key=data["intake_key"], application=application)
            for index, kind in enumerate(form.service_item.materials):
                upload, checked = data[f"material_{index}"], form.checked[index]
                stored.append(store(upload, checked))
                Material.objects.create(
                    case=case,
                    kind=kind,
                    original_name=upload.name[:255],
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                    storage_name=stored[-1],
                    uploaded_by=acting_user,
                )
    except IntegrityError:
        # The same form, submitted twice at once: the other submit made the case.
        delete_quietly(stored)
        return Case.objects.get(intake_key=data["intake_key"]), False
    except BaseException:
        delete_quietly(stored)
        raise
    case.refresh_from_db()
    return case, True
