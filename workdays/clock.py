"""The clock of a task or a case: deadlines and traffic lights. Pure functions of moments.

A limit is counted in working days (or working hours for on-the-spot items, 即办件) on the
official calendar. The clock stops while the applicant corrects material (补正) and during
special steps (特殊环节); it resumes with the time that was left. Counting by day, as a clerk does:
the days used are the working days after the clock started up to and including the day it
stopped, and after the material arrives the remaining days count from the day after.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings

from .calendar import CLOSE_OF_OFFICE, WorkCalendar


class Light:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"  # the clock is stopped (correction, special step)
    NONE = "none"  # no limit


@dataclass(frozen=True)
class Limit:
    working_days: int | None = None
    working_hours: float | None = None

    @property
    def is_set(self) -> bool:
        return self.working_days is not None or self.working_hours is not None


@dataclass(frozen=True)
class Deadline:
    due_at: dt.datetime | None
    yellow_at: dt.datetime | None
    provisional_years: tuple[int, ...] = ()

    def light(self, now: dt.datetime) -> str:
        return light_at(now, self.due_at, self.yellow_at)


# Camunda's dueDate as a limit. Binglian counts limits in working days, so P5D and Camunda
# Modeler's usual ${dateTime().plusDays(5).toDate()} both mean 5 working days; PT4H and
# plusHours(4) mean 4 working hours. Other dueDate expressions are refused by lint.
_DUE_DATE_FORMS = [
    re.compile(r"P(?P<days>\d+)D"),
    re.compile(r"PT(?P<hours>\d+(?:\.\d+)?)H"),
    re.compile(r"\$\{\s*dateTime\(\)\.plusDays\((?P<days>\d+)\)(?:\.toDate\(\))?\s*\}"),
    re.compile(r"\$\{\s*dateTime\(\)\.plusHours\((?P<hours>\d+)\)(?:\.toDate\(\))?\s*\}"),
]


def limit_from_due_date(text: str) -> Limit | None:
    for form in _DUE_DATE_FORMS:
        match = form.fullmatch(text.strip())
        if match:
            found = match.groupdict()
            if found.get("days"):
                return Limit(working_days=int(found["days"]))
            return Limit(working_hours=float(found["hours"]))
    return None


def light_at(now: dt.datetime, due_at: dt.datetime | None, yellow_at: dt.datetime | None) -> str:
    """The light of a clock at ``now``: red once past the due moment (work done at 17:30:00 on a
    17:30 deadline is on time), yellow from the yellow moment. See workdays.lateness."""
    if due_at is None:
        return Light.NONE
    if now > due_at:
        return Light.RED
    if yellow_at is not None and now >= yellow_at:
        return Light.YELLOW
    return Light.GREEN


def used_working_days(started_at: dt.datetime, stopped_at: dt.datetime, calendar: WorkCalendar) -> int:
    """Working days used between two moments, counted by day (the start day is not counted)."""
    start = started_at.astimezone(calendar.zone).date()
    stop = stopped_at.astimezone(calendar.zone).date()
    return max(calendar.working_days_between(start, stop), 0)


def deadline(
    started_at: dt.datetime, limit: Limit, calendar: WorkCalendar, *, used_days: int = 0, used_hours: float = 0.0
) -> Deadline:
    """When a clock started (or resumed) at ``started_at`` runs out, and when its light turns yellow."""
    if limit.working_hours is not None:
        remaining = max(limit.working_hours - used_hours, 0.0)
        due_at = calendar.add_working_hours(started_at, remaining)
        provisional = calendar.provisional_years_in(
            started_at.astimezone(calendar.zone).date(), due_at.astimezone(calendar.zone).date()
        )
    elif limit.working_days is not None:
        remaining_days = max(limit.working_days - used_days, 0)
        counted = calendar.due_date(started_at.astimezone(calendar.zone).date(), remaining_days)
        due_at = dt.datetime.combine(counted.date, CLOSE_OF_OFFICE, tzinfo=calendar.zone).astimezone(dt.UTC)
        provisional = counted.provisional_years
    else:
        return Deadline(None, None)
    return Deadline(due_at, yellow_moment(started_at, due_at, calendar), tuple(provisional))


def yellow_moment(started_at: dt.datetime, due_at: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """The earlier of: the configured share of the working time used, and the configured working
    hours left (SLA_YELLOW_SHARE_USED, SLA_YELLOW_WORKING_HOURS_LEFT; 0 switches a rule off)."""
    total = calendar.working_hours_between(started_at, due_at)
    candidates = []
    share = settings.SLA_YELLOW_SHARE_USED
    if share > 0:
        candidates.append(calendar.add_working_hours(started_at, total * share))
    hours_left = settings.SLA_YELLOW_WORKING_HOURS_LEFT
    if hours_left > 0:
        candidates.append(calendar.add_working_hours(started_at, max(total - hours_left, 0.0)))
    if not candidates:
        return due_at
    return max(min(candidates), started_at)
