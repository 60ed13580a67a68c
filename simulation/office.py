"""Office time: the simulation's clock, counted in office hours on the working-day calendar.

Clerks work only in office hours (workdays.calendar.OFFICE_HOURS, on working days), and every
duration the simulation draws (a clerk's work, a wait, another system's delay) is counted in
office hours too. So the simulation keeps time as one float: office hours since the start of
its first working day. Nights, lunch breaks, weekends and holidays simply do not exist on this
axis, and adding a duration is an addition, not a walk through the calendar. Moments are turned
back into datetimes (and datetimes, such as a BPMN timer's due time, into office time) only at
the edges.

Working day ``k`` is the span [k * DAY, (k + 1) * DAY): its morning session first, then its
afternoon session.
"""

from __future__ import annotations

import bisect
import datetime as dt

from workdays.calendar import OFFICE_HOURS, WorkCalendar


def _hours(t: dt.time) -> float:
    return t.hour + t.minute / 60 + (t.second + t.microsecond / 1e6) / 3600


SESSIONS = tuple((_hours(opens), _hours(closes)) for opens, closes in OFFICE_HOURS)
DAY = sum(closes - opens for opens, closes in SESSIONS)  # office hours in a working day (7.0)
_ONE_DAY = dt.timedelta(days=1)


class OfficeClock:
    """Maps office time (float hours) to aware datetimes and back, from ``first_day`` on."""

    def __init__(self, calendar: WorkCalendar, first_day: dt.date):
        self.calendar = calendar
        self.zone = calendar.zone
        while not calendar.is_working_day(first_day):
            first_day += _ONE_DAY
        self.days: list[dt.date] = [first_day]

    def _extend_to_index(self, index: int) -> None:
        day = self.days[-1]
        while len(self.days) <= index:
            day += _ONE_DAY
            if self.calendar.is_working_day(day):
                self.days.append(day)

    def _extend_to_date(self, date: dt.date) -> None:
        while self.days[-1] < date:
            self._extend_to_index(len(self.days))

    def day(self, index: int) -> dt.date:
        self._extend_to_index(index)
        return self.days[index]

    def day_index(self, moment: float) -> int:
        """The working day a moment falls on (a moment exactly at a day's close counts as that day)."""
        index = int(moment // DAY)
        return index - 1 if index > 0 and moment == index * DAY else index

    def to_datetime(self, moment: float) -> dt.datetime:
        index, within = divmod(moment, DAY)
        if index > 0 and within == 0:
            index, within = index - 1, DAY
        date = self.day(int(index))
        for opens, closes in SESSIONS:
            if within <= closes - opens:
                local = dt.datetime.combine(date, dt.time(), tzinfo=self.zone) + dt.timedelta(hours=opens + within)
                return local.astimezone(dt.UTC)
            within -= closes - opens
        raise AssertionError("unreachable: a moment within a day falls in a session")

    def from_datetime(self, moment: dt.datetime) -> float:
        """Office time at ``moment``; outside office hours, the next opening (or the close just passed)."""
        local = moment.astimezone(self.zone)
        date = local.date()
        if date < self.days[0]:
            return 0.0
        self._extend_to_date(date)
        index = bisect.bisect_left(self.days, date)
        if self.days[index] != date:  # a day off: nothing passes until the next working day opens
            return index * DAY
        hour, passed = _hours(local.time()), 0.0
        for opens, closes in SESSIONS:
            if hour < opens:
                return index * DAY + passed
            if hour < closes:
                return index * DAY + passed + hour - opens
            passed += closes - opens
        return (index + 1) * DAY
