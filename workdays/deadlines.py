"""Deadlines of work items: a limit in working days, counted from the day the task opened, on the
official calendar (workdays.calendar_store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import CLOSE_OF_OFFICE, WorkCalendar
from .calendar_store import get_calendar

END_OF_WORKING_DAY = CLOSE_OF_OFFICE


@dataclass(frozen=True)
class Due:
    """A deadline and the years it was counted through whose holiday notice is not yet known."""

    at: dt.datetime  # aware UTC
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


def due(opened_at: dt.datetime, limit_working_days: int, calendar: WorkCalendar | None = None) -> Due:
    """The close of office on the last working day of the limit, with its provisional years."""
    calendar = calendar or get_calendar()
    local_day = opened_at.astimezone(calendar.zone).date()
    counted = calendar.due_date(local_day, limit_working_days)
    at = dt.datetime.combine(counted.date, END_OF_WORKING_DAY, tzinfo=calendar.zone).astimezone(dt.UTC)
    return Due(at, counted.provisional_years)


def due_at(opened_at: dt.datetime, limit_working_days: int | None) -> dt.datetime | None:
    """The close of office on the last working day of the limit, as an aware UTC datetime."""
    if limit_working_days is None:
        return None
    return due(opened_at, limit_working_days).at
