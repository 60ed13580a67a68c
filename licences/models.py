"""电子证照: the signed licences a case issues. Anyone can verify one by its number."""

from __future__ import annotations

import json

from django.db import DatabaseError, models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from processes.names import in_language


class LicenceKind(models.Model):
    """A kind of licence a process may issue (``issues=<code>`` on a task): configuration, kept in
    the admin. A new kind is a row here and a BPMN step that issues it, never code."""

    code = models.SlugField(
        pgettext_lazy("field", "code"), max_length=32, primary_key=True, help_text=_("e.g. food_business_permit")
    )
    name = models.CharField(
        pgettext_lazy("field", "name"), max_length=100, help_text=_("the name printed on the licence, in Chinese")
    )
    name_en = models.CharField(pgettext_lazy("field", "English name"), max_length=100, blank=True)
    # The department that answers for licences of this kind: it reviews one that is flagged, and
    # records the breach when one is revoked for a false commitment.
    # A department's code: kept as text, as the event log keeps it, so that a kind can be configured
    # before the process whose lane creates the department is deployed.
    department = models.CharField(
        pgettext_lazy("field", "issuing department"),
        max_length=64,
        blank=True,
        help_text=_("the department's code, e.g. market"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("licence kind")
        verbose_name_plural = _("licence kinds")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The kind's name in the reader's language (its Chinese name where it has no English one)."""
        return in_language(self.name, self.name_en)

    @classmethod
    def known(cls) -> list[str] | None:
        """The configured codes; None where there is no database to ask (``manage.py lint`` on a
        machine with none: deploy, which always has one, checks them)."""
        try:
            return list(cls.objects.values_list("code", flat=True))
        except DatabaseError:
            return None


class Licence(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")

    number = models.CharField(
        pgettext_lazy("field", "licence number"), max_length=32, unique=True
    )  # BL-LIC-2026-000001
    case = models.ForeignKey(
        "engine.Case", on_delete=models.PROTECT, related_name="licences", verbose_name=pgettext_lazy("field", "case")
    )
    service_item = models.ForeignKey(
        "processes.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=pgettext_lazy("field", "service item"),
    )
    # a LicenceKind's code, as signed in the payload
    kind = models.CharField(pgettext_lazy("field", "licence kind"), max_length=32)
    enterprise_name = models.CharField(pgettext_lazy("field", "enterprise name"), max_length=200)
    enterprise_uscc = models.CharField(pgettext_lazy("field", "unified social credit code"), max_length=18)
    issued_at = models.DateTimeField(pgettext_lazy("field", "issued at"), default=timezone.now)
    status = models.CharField(
        pgettext_lazy("field", "status"), max_length=16, choices=Status.choices, default=Status.VALID
    )
    revoked_at = models.DateTimeField(pgettext_lazy("field", "revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(pgettext_lazy("field", "revocation reason"), blank=True)
    # Another result of the same case was revoked (a false commitment): the department that
    # issued this one reviews it. The licence stays valid until someone decides otherwise.
    flagged_at = models.DateTimeField(pgettext_lazy("field", "flagged for review at"), null=True, blank=True)
    flag_reason = models.TextField(pgettext_lazy("field", "why to review"), blank=True)
    # Exactly the bytes that were signed (canonical JSON): verification never re-serialises.
    payload = models.BinaryField(pgettext_lazy("field", "signed content"))
    # base64 of the 64-byte Ed25519 signature
    signature = models.CharField(pgettext_lazy("field", "signature"), max_length=128)
    key_id = models.CharField(pgettext_lazy("field", "signing key"), max_length=64)

    class Meta:
        verbose_name = _("e-licence")
        verbose_name_plural = _("e-licences")
        constraints = [
            # One licence of each kind per case: issuing twice (a retried step) is refused by the database.
            models.UniqueConstraint(fields=["case", "kind"], name="licence_case_kind_unique"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @cached_property
    def kind_info(self) -> LicenceKind | None:
        return LicenceKind.objects.filter(code=self.kind).first()

    @property
    def kind_name(self) -> str:
        """The kind's name as signed ("营业执照"): what the licence says on its face, whatever the
        catalogue has been renamed to since."""
        return json.loads(bytes(self.payload)).get("kind_name") or self.kind

    @property
    def kind_label(self) -> str:
        """The kind's name now, in the reader's language ("营业执照", "business licence"); the
        payload keeps the name it was signed with (kind_name)."""
        return self.kind_info.label if self.kind_info else self.kind


class LicenceCounter(models.Model):
    """The last licence number handed out per year; locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class CreditRecord(models.Model):
    """信用记录: a breach recorded against an enterprise, public to anyone who looks it up by its
    credit code (as 信用中国 publishes them). It names the enterprise, never a person."""

    class Kind(models.TextChoices):
        FALSE_COMMITMENT = "false_commitment", _("false commitment")

    enterprise_uscc = models.CharField(
        pgettext_lazy("field", "unified social credit code"), max_length=18, db_index=True
    )
    enterprise_name = models.CharField(pgettext_lazy("field", "enterprise name"), max_length=200)
    kind = models.CharField(pgettext_lazy("field", "kind"), max_length=32, choices=Kind.choices)
    case = models.ForeignKey(
        "engine.Case",
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=pgettext_lazy("field", "case"),
    )
    licence = models.ForeignKey(
        Licence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=pgettext_lazy("field", "licence revoked"),
    )
    department = models.CharField(pgettext_lazy("field", "department"), max_length=64, blank=True)
    summary = models.TextField(pgettext_lazy("field", "summary"))
    recorded_at = models.DateTimeField(pgettext_lazy("field", "recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")

    def __str__(self):
        return f"{self.enterprise_uscc} {self.get_kind_display()} {self.recorded_at:%Y-%m-%d}"
