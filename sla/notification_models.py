"""Notifications in rows: what the app shows a user, and how else to reach them. Imported by
``sla.models``; sending lives in ``sla.notifications``, the words in ``sla.texts``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class Notification(models.Model):
    """One message to one user. Always shown in the app; ``channels`` records where else it went."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("escalation")
        RESULT_FLAGGED = "result_flagged", _("result to review")
        URGE = "urge", _("urge")
        EXTENSION = "extension", _("extension")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in the app")
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"))
    data = models.JSONField(
        _("data"),
        default=dict,
        blank=True,
        help_text=_("What the title and body were made from, so that the app can say them in the reader's language."),
    )
    link = models.CharField(
        _("link"), max_length=300, blank=True, help_text=_("a path in the app, e.g. /cases/BL-2026-000001/")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    channels = models.JSONField(_("channels sent"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # Serves the bell in the app: a user's unread notifications, newest first.
            models.Index(
                fields=["recipient", "-created_at"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.title}"

    def channels_text(self) -> str:
        """The channels it went by, in words (a channel this version does not know, as stored)."""
        labels = dict(self.Channel.choices)
        return pgettext("list separator", ", ").join(str(labels.get(channel, channel)) for channel in self.channels)


class NotificationPreference(models.Model):
    """How a user wants to be reached besides the app. Without a row: e-mail if the user has an
    address, no SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email_enabled = models.BooleanField(_("e-mail"), default=True)
    sms_enabled = models.BooleanField(_("SMS"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: {self.phone or '—'}"

    def wants_email(self, email: str) -> bool:
        return bool(email) and self.email_enabled

    def wants_sms(self) -> bool:
        return bool(self.phone) and self.sms_enabled
