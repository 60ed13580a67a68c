"""电子证照: the signed licences a case issues. Anyone can verify one by its number."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Licence(models.Model):
    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", "营业执照 business licence"
        COMPANY_SEAL = "company_seal", "印章备案证明 company seal record"
        INVOICE_ELIGIBILITY = "invoice_eligibility", "发票领用通知 invoice eligibility"

    class Status(models.TextChoices):
        VALID = "valid", "有效 valid"
        REVOKED = "revoked", "已撤销 revoked"

    number = models.CharField(max_length=32, unique=True)  # BL-LIC-2026-000001
    case = models.ForeignKey("engine.Case", on_delete=models.PROTECT, related_name="licences")
    service_item = models.ForeignKey("processes.ServiceItem", null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=32, choices=Kind.choices)
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
