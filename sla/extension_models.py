"""延期 requests (行政许可法 art. 42): a clerk asks, a department head decides (sla.extensions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Extension(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("extension", "requested")
        APPROVED = "approved", pgettext_lazy("extension", "approved")
        REFUSED = "refused", pgettext_lazy("extension", "refused")

    case = models.ForeignKey("engine.Case", on_delete=models.CASCADE, related_name="extensions")
    working_days = models.PositiveIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extensions_requested"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # The department whose head decides (the service item's extension_approver, else the asker's).
    approver_department = models.CharField(max_length=64)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="extensions_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # The notice to the applicant (延期通知), as recorded when the extension was approved.
    notice = models.TextField(blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            # One request waits per case at a time: a second is a conflict, not a second vote.
            models.UniqueConstraint(fields=["case"], condition=Q(state="requested"), name="extension_one_pending"),
        ]

    def __str__(self):
        return f"{self.case_id}: +{self.working_days} ({self.state})"
