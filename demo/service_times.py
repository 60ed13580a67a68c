"""How long the world takes, for the driver's timed runs (``manage.py drive --timed``, the demo).

One model of the office for everything that plays it: the figures ``simulate`` reads
(simulation.params), by default the shipped ``simulation/reference_office.toml``. So a version
driven through the write path and the same version simulated in memory meet the same departments
working at the same speed, and the benchmarks drive with them too.

Every duration is counted in office hours on the working-day calendar (workdays.calendar), as a
clerk's day is: a task opened at 17:00 and worked for two hours is done at 10:00 the next
working day. A version driven with the same figures and seed as another meets the same office:
only the process differs, which is what a version comparison needs.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import simulation
from simulation.params import Distribution, Params, load_params
from workdays.calendar import WorkCalendar

REFERENCE_OFFICE = Path(simulation.__file__).resolve().parent / "reference_office.toml"
APPLICANT = "applicant"  # the office file's row for the applicant's turn (a correction)
OFFICE_HOURS_PER_DAY = 7.0  # 09:00-12:00 and 13:30-17:30
ONE_HOUR = Distribution("fixed", hours=1.0)


def reference_office() -> Params:
    return load_params(REFERENCE_OFFICE)


@dataclass
class ServiceTimes:
    """Per department: the wait before a clerk claims a task and the work until it is done; the
    applicant's turn for a task that stops the case clock; other systems' messages; arrivals."""

    office: Params = field(default_factory=reference_office)

    def _figures(self, department: str):
        return self.office.departments.get(department) or self.office.default

    def wait_hours(self, department: str, rng: random.Random, *, applicant: bool = False) -> float:
        figures = self._figures(APPLICANT if applicant else department)
        return (figures.wait or self.office.default.wait or ONE_HOUR).sample(rng)

    def work_hours(self, department: str, rng: random.Random) -> float:
        figures = self._figures(department)
        return (figures.work or self.office.default.work or ONE_HOUR).sample(rng)

    def message_hours(self, message: str, rng: random.Random) -> float:
        figures = self.office.messages.get(message)
        return (figures.delay if figures else ONE_HOUR).sample(rng)

    def message_probability(self, message: str) -> float:
        figures = self.office.messages.get(message)
        return figures.probability if figures else 1.0

    def arrival_gap_hours(self, rng: random.Random) -> float:
        """Applications arrive at random (Poisson), ``arrivals_per_day`` a working day."""
        per_day = self.office.arrivals_per_day or 12.0
        return rng.expovariate(per_day / OFFICE_HOURS_PER_DAY)


@dataclass
class Timing:
    """Simulated time for the driver: where the first application arrives, how long things take,
    and where simulated time ends (``until``, None for no end). Nothing happens after ``until``:
    an application due later does not arrive, and a case whose next step falls later is left
    where it stands, as a real case would be at that moment. The demo and ``drive --timed`` end
    at the moment they run, so that nothing they write is dated in the future."""

    start_at: dt.datetime
    calendar: WorkCalendar
    service_times: ServiceTimes = field(default_factory=ServiceTimes)
    until: dt.datetime | None = None

    def over(self, moment: dt.datetime) -> bool:
        return self.until is not None and moment > self.until

    def __post_init__(self):
        # One second of office time: the first arrival falls inside office hours.
        self.next_arrival_at = self.calendar.add_working_hours(self.start_at, dt.timedelta(seconds=1))

    def after(self, moment: dt.datetime, hours: float) -> dt.datetime:
        return self.calendar.add_working_hours(moment, hours)

    def arrival(self, rng: random.Random) -> dt.datetime:
        """The next application's arrival: in office hours, after the one before."""
        at = self.next_arrival_at
        self.next_arrival_at = self.after(at, self.service_times.arrival_gap_hours(rng))
        return at
