"""Sending SMS through a pluggable backend, chosen like Django's EMAIL_BACKEND.

``settings.SMS_BACKEND`` is a dotted path to a class with ``send(phone, text)``. The default logs
the message and sends nothing, so the embedded demo needs no gateway. ``LocmemSmsBackend`` keeps
messages in ``sla.sms.outbox`` for tests, as Django's locmem mail backend does with
``mail.outbox``. A real gateway (Aliyun, Tencent Cloud, a provincial platform) is one subclass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "sla.sms.LoggingSmsBackend"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


outbox: list[SmsMessage] = []


class SmsBackend:
    """The interface: send one text to one phone number, or raise."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class LocmemSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone, text))


def get_backend() -> SmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()


def send_sms(phone: str, text: str) -> None:
    get_backend().send(phone, text)
