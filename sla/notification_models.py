"""Notifications in rows: what the app shows a user, and how else to reach them. Imported by
``sla.models``; sending lives in ``sla.notifications``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """One message to one user. Always shown in the app; ``channels`` records where else it went."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", "督办 escalation"
        RESULT_FLAGGED = "result_flagged", "结果待复核 result to review"

    class Channel(models.TextChoices):
        IN_APP = "in_app", "站内 in the app"
        EMAIL = "email", "邮件 e-mail"
        SMS = "sms", "短信 SMS"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人 recipient",
    )
    kind = models.CharField("类别 kind", max_length=32, choices=Kind.choices)
    title = models.CharField("标题 title", max_length=300)
    body = models.TextField("内容 body")
    link = models.CharField(
        "链接 link", max_length=300, blank=True, help_text="a path in the app, e.g. /cases/BL-2026-000001/"
    )
    created_at = models.DateTimeField("时间 created at", default=timezone.now)
    read_at = models.DateTimeField("已读 read at", null=True, blank=True)
    channels = models.JSONField("发送渠道 channels sent", default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知 notification"
        verbose_name_plural = "通知 notifications"
        indexes = [
            # Serves the bell in the app: a user's unread notifications, newest first.
            models.Index(
                fields=["recipient", "-created_at"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.title}"


class NotificationPreference(models.Model):
    """How a user wants to be reached besides the app. Without a row: e-mail if the user has an
    address, no SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="用户 user",
    )
    phone = models.CharField("手机 mobile phone", max_length=20, blank=True)
    email_enabled = models.BooleanField("邮件 e-mail", default=True)
    sms_enabled = models.BooleanField("短信 SMS", default=True)

    class Meta:
        verbose_name = "通知设置 notification preference"
        verbose_name_plural = "通知设置 notification preferences"

    def __str__(self):
        return f"{self.user}: {self.phone or '—'}"

    def wants_email(self, email: str) -> bool:
        return bool(email) and self.email_enabled

    def wants_sms(self) -> bool:
        return bool(self.phone) and self.sms_enabled
