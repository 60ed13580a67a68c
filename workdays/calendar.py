"""The legal working-day calendar (行政许可法 art. 82): pure functions of dates, no ORM.

A ``WorkCalendar`` is built from three facts: the years whose State Council holiday notice is
known ("announced"), the holiday dates, and the adjusted working days (调休上班, a Saturday or
Sunday on which offices open to make up for a bridged weekday). A day is a working day when

1. it is listed as an adjusted working day: working;
2. it is listed as a holiday: not working;
3. its year is announced: Monday to Friday are working, Saturday and Sunday are not;
4. its year is not announced: the PROVISIONAL rule (below).

The provisional rule. The notice for a year comes out in the autumn before it, so a limit that runs
past the last announced year must still be counted. It is counted as weekends off plus the
statutory holidays that fall on fixed solar dates (全国年节及纪念日放假办法, as revised with effect
from 2025): New Year's Day 1 Jan, Labour Day 1–2 May, National Day 1–3 Oct. What cannot be known
ahead is every lunar or solar-term holiday and every adjustment: Spring Festival (including New
Year's Eve), Qingming, Dragon Boat, Mid-Autumn, the bridging days, the days given in lieu when a
fixed holiday falls on a weekend, and all adjusted working weekends. A provisional count is therefore usually too short around Spring Festival (holidays
missing) and can be a day too long where an adjusted working weekend is missing. Results that rest
on a provisional day say so: ``is_provisional``, ``provisional_years_in`` and ``due_date``.

Working hours: office hours are OFFICE_HOURS in local time (09:00–12:00 and 13:30–17:30) on
working days. The hour functions take and return aware datetimes, do the wall-clock reasoning in
the calendar's zone (the project's TIME_ZONE, Asia/Shanghai) and return UTC.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")

# Office hours, local time: the morning and the afternoon session, lunch in between.
MORNING = (dt.time(9, 0), dt.time(12, 0))
AFTERNOON = (dt.time(13, 30), dt.time(17, 30))
OFFICE_HOURS: tuple[tuple[dt.time, dt.time], ...] = (MORNING, AFTERNOON)
CLOSE_OF_OFFICE = AFTERNOON[1]

# The fixed-date statutory holidays used for years whose notice is not out yet: (month, day) -> name,
# written as the package's names are (workdays.official): the Chinese, a space, the English.
PROVISIONAL_HOLIDAYS: Mapping[tuple[int, int], str] = MappingProxyType(  # data: holidays' names
    {
        (1, 1): "元旦 New Year's Day",
        (5, 1): "劳动节 Labour Day",
        (5, 2): "劳动节 Labour Day",
        (10, 1): "国庆节 National Day",
        (10, 2): "国庆节 National Day",
        (10, 3): "国庆节 National Day",
    }
)

_ONE_DAY = dt.timedelta(days=1)


class DayKind(enum.StrEnum):
    WORKING_DAY = "working_day"  # 工作日: Monday to Friday, nothing special
    WEEKEND = "weekend"  # 休息日: Saturday or Sunday, nothing special
    HOLIDAY = "holiday"  # 法定节假日 (including the bridged weekdays of a holiday period)
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班: a weekend day on which offices open


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date, for people (``manage.py workdays check``)."""

    date: dt.date
    kind: DayKind
    name: str  # the holiday's name, or for an adjusted working day the holiday it makes up for
    provisional: bool  # the year's notice is not in the calendar: the provisional rule decided

    @property
    def is_working_day(self) -> bool:
        return self.kind in (DayKind.WORKING_DAY, DayKind.ADJUSTED_WORKDAY)


@dataclass(frozen=True)
class DueDate:
    """A date counted in working days, and the unannounced years the count went through."""

    date: dt.date
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


def _named(days: Mapping[dt.date, str] | Iterable[dt.date]) -> dict[dt.date, str]:
    if isinstance(days, Mapping):
        return {_as_date(day): name or "" for day, name in days.items()}
    return {_as_date(day): "" for day in days}


def _as_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        raise TypeError(f"a date is needed, not a datetime: {day!r}")
    return day


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """An immutable working-day calendar. ``holidays`` and ``workdays`` map dates to names
    (or are plain iterables of dates); ``workdays`` are the adjusted working days."""

    announced_years: frozenset[int]
    holidays: Mapping[dt.date, str]
    workdays: Mapping[dt.date, str]
    zone: ZoneInfo = field(default=DEFAULT_ZONE)

    def __init__(
        self,
        announced_years: Iterable[int],
        holidays: Mapping[dt.date, str] | Iterable[dt.date] = (),
        workdays: Mapping[dt.date, str] | Iterable[dt.date] = (),
        zone: ZoneInfo | str = DEFAULT_ZONE,
    ):
        holiday_names, workday_names = _named(holidays), _named(workdays)
        both = sorted(holiday_names.keys() & workday_names.keys())
        if both:
            raise ValueError(f"a date cannot be both a holiday and a working day: {both[0].isoformat()}")
        object.__setattr__(self, "announced_years", frozenset(announced_years))
        object.__setattr__(self, "holidays", MappingProxyType(holiday_names))
        object.__setattr__(self, "workdays", MappingProxyType(workday_names))
        object.__setattr__(self, "zone", ZoneInfo(zone) if isinstance(zone, str) else zone)

    def __repr__(self) -> str:
        years = sorted(self.announced_years)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"<WorkCalendar announced {span}, {len(self.holidays)} holidays, {len(self.workdays)} adjusted workdays>"

    # Days ------------------------------------------------------------------------------------

    def is_provisional(self, day: dt.date) -> bool:
        """True when ``day``'s year has no announced notice: the provisional rule decides it."""
        return day.year not in self.announced_years

    def provisional_years_in(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """The unannounced years from ``start`` to ``end``, both included, in order."""
        if end < start:
            start, end = end, start
        return tuple(year for year in range(start.year, end.year + 1) if year not in self.announced_years)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.weekday() >= 5:
            return False
        return not (self.is_provisional(day) and (day.month, day.day) in PROVISIONAL_HOLIDAYS)

    def describe(self, day: dt.date) -> DayInfo:
        provisional = self.is_provisional(day)
        if day in self.workdays:
            return DayInfo(day, DayKind.ADJUSTED_WORKDAY, self.workdays[day], provisional)
        if day in self.holidays:
            return DayInfo(day, DayKind.HOLIDAY, self.holidays[day], provisional)
        fixed = PROVISIONAL_HOLIDAYS.get((day.month, day.day)) if provisional else None
        if fixed:
            return DayInfo(day, DayKind.HOLIDAY, fixed, provisional)
        if day.weekday() >= 5:
            return DayInfo(day, DayKind.WEEKEND, "", provisional)
        return DayInfo(day, DayKind.WORKING_DAY, "", provisional)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start``; the start day itself is not counted,
        so ``days=0`` returns ``start`` and ``days=1`` the next working day."""
        if days < 0:
            raise ValueError(f"a limit in working days cannot be negative: {days}")
        current, remaining = start, days
        while remaining > 0:
            current += _ONE_DAY
            if self.is_working_day(current):
                remaining -= 1
        return current

    def due_date(self, start: dt.date, days: int) -> DueDate:
        """``add_working_days`` with the unannounced years the count went through (the days after
        ``start`` up to the result), for dashboards that must flag a provisional deadline."""
        end = self.add_working_days(start, days)
        years = self.provisional_years_in(start + _ONE_DAY, end) if end > start else ()
        return DueDate(end, years)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The working days after ``start`` up to and including ``end`` (``start`` not counted, as in
        ``add_working_days``: ``working_days_between(s, add_working_days(s, n)) == n``).
        Same day: 0. When ``end`` is before ``start`` the count is negative:
        ``-working_days_between(end, start)``."""
        if end < start:
            return -self.working_days_between(end, start)
        count, current = 0, start
        while current < end:
            current += _ONE_DAY
            count += self.is_working_day(current)
        return count

    # Hours -----------------------------------------------------------------------------------

    def _sessions(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The office sessions of one local date as UTC intervals (empty on a day off)."""
        if not self.is_working_day(day):
            return []
        return [
            (
                _utc(dt.datetime.combine(day, opens, tzinfo=self.zone)),
                _utc(dt.datetime.combine(day, closes, tzinfo=self.zone)),
            )
            for opens, closes in OFFICE_HOURS
        ]

    def add_working_hours(self, start: dt.datetime, hours: float | dt.timedelta) -> dt.datetime:
        """The earliest instant by which ``hours`` of office time have passed since ``start``.

        Time outside office hours (nights, lunch, days off) does not count: from 11:00 on a
        Friday, 2 hours end at 14:30 the same day, 5 hours at 10:30 on the next working day.
        ``hours=0`` returns ``start`` itself. Aware in, aware UTC out.
        """
        remaining = hours if isinstance(hours, dt.timedelta) else dt.timedelta(hours=hours)
        if remaining < dt.timedelta(0):
            raise ValueError(f"hours cannot be negative: {hours}")
        moment = _utc(_aware(start))
        if not remaining:
            return moment
        day = moment.astimezone(self.zone).date()
        while True:
            for opens, closes in self._sessions(day):
                if moment >= closes:
                    continue
                begin = max(moment, opens)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
            day += _ONE_DAY

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office hours between two aware instants, as a float number of hours (negative when
        ``end`` is before ``start``): the inverse of ``add_working_hours``."""
        start, end = _utc(_aware(start)), _utc(_aware(end))
        if end < start:
            return -self.working_hours_between(end, start)
        total = dt.timedelta(0)
        day, last_day = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        while day <= last_day:
            for opens, closes in self._sessions(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total / dt.timedelta(hours=1)


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, not a naive one: {moment!r}")
    return moment


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)
