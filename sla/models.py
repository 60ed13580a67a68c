"""Supervision's rows: escalation chains and levels reached, notifications. The working-day
calendar's rows are the workdays app's."""

from __future__ import annotations

# Escalation and notifications live in their own modules; importing them here registers them.
from .escalation_models import Escalation, EscalationState, EscalationStep  # noqa: E402, F401
from .notification_models import Notification, NotificationPreference  # noqa: E402, F401
