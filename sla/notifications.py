"""Notifications: one row per recipient, shown in the app; e-mail and SMS after commit.

``do_notify`` writes the rows inside the caller's transaction and queues delivery with
``transaction.on_commit``, so a rolled-back sweep sends nothing. E-mail goes through Django's mail
API (``EMAIL_BACKEND``; the console in the demo), SMS through ``sla.sms`` (``SMS_BACKEND``). A user
with no e-mail address and no phone gets the in-app notification only. A failed channel is
logged and left out of ``channels``; the in-app row is there regardless.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from . import sms
from .notification_models import Notification, NotificationPreference

log = logging.getLogger(__name__)
Channel = Notification.Channel


def do_notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    body: str,
    data: dict | None = None,
    link: str = "",
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Notify each user once (duplicates dropped); returns the rows written. ``title`` and ``body``
    are in the site's language; ``data``, the facts they tell, lets the app say them again in the
    reader's (sla.texts)."""
    now = now or timezone.now()
    unique = {user.pk: user for user in recipients}
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kind,
                title=title,
                body=body,
                data=data or {},
                link=link,
                created_at=now,
                channels=[Channel.IN_APP],
            )
            for user in unique.values()
        )
        if rows:
            transaction.on_commit(partial(deliver, [row.pk for row in rows]))
    return rows


def deliver(notification_ids: list[int]) -> None:
    """Send the e-mails and SMS of committed notifications and record the channels used."""
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[r.recipient_id for r in rows])}
    for row in rows:
        pref = prefs.get(row.recipient_id) or NotificationPreference(user=row.recipient, sms_enabled=False)
        sent = [Channel.IN_APP]
        if pref.wants_email(row.recipient.email) and _try(row, Channel.EMAIL, _send_email, row):
            sent.append(Channel.EMAIL)
        if pref.wants_sms() and _try(row, Channel.SMS, sms.send_sms, pref.phone, sms_text(row)):
            sent.append(Channel.SMS)
        if sent != row.channels:
            Notification.objects.filter(pk=row.pk).update(channels=sent)


def _try(row: Notification, channel: str, send, *args) -> bool:
    try:
        send(*args)
    except Exception:  # one unreachable address must not stop the others
        log.exception("notification %s: sending by %s failed", row.pk, channel)
        return False
    return True


def absolute_url(link: str) -> str:
    return f"{settings.SITE_ROOT.rstrip('/')}{link}" if link.startswith("/") else link


def _send_email(row: Notification) -> None:
    body = f"{row.body}\n\n{absolute_url(row.link)}" if row.link else row.body
    send_mail(row.title, body, None, [row.recipient.email])


def sms_text(row: Notification) -> str:
    return f"{row.title} {absolute_url(row.link)}".strip()


def unread(user):
    """A user's unread notifications, newest first (the ``notification_unread`` index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-id")


def do_mark_read(user, notification_ids: Iterable[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Mark a user's notifications read (all unread ones when no ids are given); returns how many."""
    rows = unread(user)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=now or timezone.now())
