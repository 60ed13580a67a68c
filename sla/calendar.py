"""The working-day calendar: pure functions of dates, no ORM.

Provisional: Monday to Friday are working days. China's official calendar (statutory holidays
and the adjusted working weekends) replaces this rule in the SLA module.
"""

from __future__ import annotations

import datetime as dt


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (the start day itself is not counted)."""
    current, remaining = start, days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
