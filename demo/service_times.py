"""How long the world takes, for the driver's timed runs (``manage.py drive --timed``).

Every duration is counted in office hours on the working-day calendar (workdays.calendar), as a
clerk's day is: a task opened at 17:00 and worked for two hours is done at 10:00 the next
working day. Durations are lognormal, given by their median and spread, because waits and work
in an office are skewed: most are short, a few are long.

A version driven with the same ``ServiceTimes`` and seed as another meets the same departments
working at the same speed: only the process differs, which is what a version comparison needs.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from workdays.calendar import WorkCalendar


@dataclass(frozen=True)
class Duration:
    """A lognormal duration in office hours: half the draws are below ``median_hours``."""

    median_hours: float
    spread: float = 0.5  # the standard deviation of the logarithm

    def draw(self, rng: random.Random) -> float:
        return rng.lognormvariate(math.log(self.median_hours), self.spread)


def _per_department(**medians: tuple[float, float]) -> tuple[dict[str, Duration], dict[str, Duration]]:
    return (
        {code: Duration(wait) for code, (wait, _) in medians.items()},
        {code: Duration(work) for code, (_, work) in medians.items()},
    )


# (wait in the queue until a clerk claims the task, work until it is completed), medians in office hours.
_WAIT, _WORK = _per_department(
    front_desk=(0.25, 0.5),
    market=(4.0, 1.5),
    police=(3.0, 1.0),
    tax=(3.5, 1.0),
    hrss=(3.0, 0.75),
    housing_fund=(3.0, 0.75),
)


@dataclass
class ServiceTimes:
    """Per department: the wait before a clerk claims a task and the work until it is done.

    A task that stops the case clock (a correction, ``clock=paused``) waits for the applicant
    instead, who gathers the missing material (``applicant``). Messages from other systems
    arrive ``messages[name]`` after the case began to wait for them. Applications arrive at the
    window or online one after another, ``arrival`` apart (exponential, in office hours).
    """

    wait: dict[str, Duration] = field(default_factory=lambda: dict(_WAIT))
    work: dict[str, Duration] = field(default_factory=lambda: dict(_WORK))
    default_wait: Duration = Duration(1.0)
    default_work: Duration = Duration(1.0)
    applicant: Duration = Duration(14.0, 0.6)
    messages: dict[str, Duration] = field(
        default_factory=lambda: {"bank_account_opened": Duration(2.0), "service_rated": Duration(3.0, 0.8)}
    )
    default_message: Duration = Duration(2.0)
    arrival_mean_hours: float = 0.5

    def wait_hours(self, department: str, rng: random.Random, *, applicant: bool = False) -> float:
        if applicant:
            return self.applicant.draw(rng)
        return self.wait.get(department, self.default_wait).draw(rng)

    def work_hours(self, department: str, rng: random.Random) -> float:
        return self.work.get(department, self.default_work).draw(rng)

    def message_hours(self, message: str, rng: random.Random) -> float:
        return self.messages.get(message, self.default_message).draw(rng)

    def arrival_gap_hours(self, rng: random.Random) -> float:
        return rng.expovariate(1 / self.arrival_mean_hours)


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
