"""Deadlines of work items: a limit in working days, counted from the day the task opened."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from .calendar import add_working_days

END_OF_WORKING_DAY = dt.time(17, 30)


def due_at(opened_at: dt.datetime, limit_working_days: int | None) -> dt.datetime | None:
    """The close of office on the last working day of the limit, as an aware UTC datetime."""
    if limit_working_days is None:
        return None
    zone = ZoneInfo(settings.TIME_ZONE)
    local_day = opened_at.astimezone(zone).date()
    last_day = add_working_days(local_day, limit_working_days)
    return dt.datetime.combine(last_day, END_OF_WORKING_DAY, tzinfo=zone).astimezone(dt.UTC)
