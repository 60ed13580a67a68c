"""电子证照: the signed licences a case issues. Anyone can verify one by its number."""

from __future__ import annotations

import json

from django.db import DatabaseError, models
from django.utils import timezone
from django.utils.functional import cached_property


class LicenceKind(models.Model):
    """A kind of licence a process may issue (``issues=<code>`` on a task): configuration, kept in
    the admin. A new kind is a row here and a BPMN step that issues it, never code."""

    code = models.SlugField("代码 code", max_length=32, primary_key=True, help_text="e.g. food_business_permit")
    name = models.CharField("名称 name", max_length=100, help_text="e.g. 食品经营许可证")
    name_en = models.CharField("English name", max_length=100, blank=True)
    # The department that answers for licences of this kind: it reviews one that is flagged, and
    # records the breach when one is revoked for a false commitment.
    # A department's code: kept as text, as the event log keeps it, so that a kind can be configured
    # before the process whose lane creates the department is deployed.
    department = models.CharField("发证部门 department", max_length=64, blank=True, help_text="e.g. market")

    class Meta:
        ordering = ["code"]
        verbose_name = "证照类型 licence kind"
        verbose_name_plural = "证照类型 licence kinds"

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name} {self.name_en}".strip()

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
        VALID = "valid", "有效 valid"
        REVOKED = "revoked", "已撤销 revoked"

    number = models.CharField(max_length=32, unique=True)  # BL-LIC-2026-000001
    case = models.ForeignKey("engine.Case", on_delete=models.PROTECT, related_name="licences")
    service_item = models.ForeignKey("processes.ServiceItem", null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=32)  # a LicenceKind's code, as signed in the payload
    enterprise_name = models.CharField(max_length=200)
    enterprise_uscc = models.CharField(max_length=18)
    issued_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    # Another result of the same case was revoked (a false commitment): the department that
    # issued this one reviews it. The licence stays valid until someone decides otherwise.
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.TextField(blank=True)
    # Exactly the bytes that were signed (canonical JSON): verification never re-serialises.
    payload = models.BinaryField()
    signature = models.CharField(max_length=128)  # base64 of the 64-byte Ed25519 signature
    key_id = models.CharField(max_length=64)

    class Meta:
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
        """ "营业执照 business licence": the kind's names now (the payload keeps those it was signed with)."""
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
        FALSE_COMMITMENT = "false_commitment", "承诺不实 false commitment"

    enterprise_uscc = models.CharField(max_length=18, db_index=True)
    enterprise_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    case = models.ForeignKey("engine.Case", on_delete=models.PROTECT, related_name="credit_records")
    licence = models.ForeignKey(Licence, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_records")
    department = models.CharField(max_length=64, blank=True)
    summary = models.TextField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.enterprise_uscc} {self.get_kind_display()} {self.recorded_at:%Y-%m-%d}"
