"""China's official calendar as published in the PyPI package ``chinesecalendar`` (pure, no ORM).

The package lists, for each year it covers, the holidays (including the weekend days inside a
holiday period) and the adjusted working weekends (调休上班), each with the holiday's English
name; it covers every year from its first to its last listed date (2004–2026 in 1.11.0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

from .calendar import DEFAULT_ZONE, WorkCalendar

HOLIDAY, WORKDAY = "holiday", "workday"  # the CalendarDay.Kind values


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str  # "春节 Spring Festival"


def package_source() -> str:
    """What CalendarYear.source says for imported years, e.g. "chinesecalendar 1.11.0"."""
    return f"chinesecalendar {chinese_calendar.__version__}"


def package_years() -> range:
    dates = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return range(min(dates).year, max(dates).year + 1)


def bilingual_name(english: str) -> str:
    """The package names holidays in English; its Holiday enum carries the Chinese name."""
    try:
        return f"{chinese_calendar.Holiday(english).chinese} {english}"
    except ValueError:
        return english


def package_days(year: int | None = None) -> list[OfficialDay]:
    """The package's holidays and adjusted working days, in date order (of one year, if given)."""
    days = [OfficialDay(day, HOLIDAY, bilingual_name(name)) for day, name in chinese_calendar.holidays.items()]
    days += [OfficialDay(day, WORKDAY, bilingual_name(name)) for day, name in chinese_calendar.workdays.items()]
    return sorted((d for d in days if year is None or d.date.year == year), key=lambda d: d.date)


def package_calendar(zone: ZoneInfo | str = DEFAULT_ZONE) -> WorkCalendar:
    """A WorkCalendar straight from the package, without the database."""
    days = package_days()
    return WorkCalendar(
        announced_years=package_years(),
        holidays={d.date: d.name for d in days if d.kind == HOLIDAY},
        workdays={d.date: d.name for d in days if d.kind == WORKDAY},
        zone=zone,
    )
