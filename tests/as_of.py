"""Run the suite as of another moment: ``pytest --as-of 2026-12-31T10:00`` (or ``BINGLIAN_TEST_AS_OF``).

Every test starts with the clock standing at that moment, local time (TIME_ZONE) unless the value
names its own offset, and the clock then runs on as usual (time-machine, ``tick=True``): each test
sees the same start, whatever ran before it, so a deadline at 17:30 is reached inside the test
that is about it, not by the accident of the suite's order. A test that moves the clock itself
(``time_machine.travel``) does so from there. Processes that tests start (Celery workers, a
``manage.py`` subprocess) keep the machine's clock unless started through tests/as_of_process.py,
as the Celery workers and beat are.

``make test`` uses it for its date passes (scripts/run_tests.py): the date-sensitive tests,
marked ``dates``, run again as of moments chosen to be hard (a Spring Festival holiday, the last
day of the last announced year, a Saturday, a minute before close on the eve of a long holiday).
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine

ENV = "BINGLIAN_TEST_AS_OF"
LOCAL = ZoneInfo("Asia/Shanghai")  # the project's default TIME_ZONE; a value with an offset keeps its own


def parse_moment(text: str) -> dt.datetime:
    """An ISO date (10:00 local that day) or date and time; naive values are local time."""
    text = text.strip()
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(10, 0))
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(
            f"--as-of {text!r}: give a date (2026-12-31) or a local time (2026-09-30T17:29)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def pytest_addoption(parser):
    parser.addoption(
        "--as-of",
        default=os.getenv(ENV) or None,
        metavar="MOMENT",
        help=f"start every test with the clock at MOMENT (2026-12-31 or 2026-09-30T17:29, local time); also ${ENV}",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "dates: the answer depends on the date; make test runs it again as of hard dates"
    )
    value = config.getoption("as_of")
    config.as_of = parse_moment(value) if value else None
    if config.as_of is not None:  # for the processes tests start (tests/as_of_process.py)
        os.environ[ENV] = config.as_of.isoformat()


def pytest_report_header(config):
    if config.as_of is not None:
        return f"as of {config.as_of.isoformat()} ({config.as_of:%A}): every test starts with the clock there"
    return None


@pytest.fixture(autouse=True)
def _clock_as_of(request):
    moment = request.config.as_of
    if moment is None:
        yield None
        return
    with time_machine.travel(moment, tick=True):
        yield moment
