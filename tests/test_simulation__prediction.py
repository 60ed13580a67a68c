"""The point of simulating: predict a new version's cycle time from the old version's log.

Cases are driven through the write path in simulated time (``drive --timed``: the departments'
service times are the same for both versions) on the serial version 1 and the parallel version
2. The simulation of version 2 learns from version 1's event log alone, and its prediction is
checked against what version 2's cases then measured, in the reports' own figures.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from reports.figures import version_figures
from reports.predictions import side_by_side
from simulation.models import SimulationRun

# Every date of this test is pinned (the driven log, the simulation's first day), so it holds on
# any date and runs once; simulate's default first day is tested as of hard dates elsewhere
# (tests/test_simulation__command.py).

CASES = 80  # per version, through the database: the slow part of this test
START = dt.date(2026, 3, 2)  # after Spring Festival, before Qingming: an ordinary stretch of working days
UNTIL = dt.date(2026, 12, 31)  # simulated time ends here, not at the moment the test runs


@pytest.fixture(autouse=True)
def default_language():
    """The site's language around each test: a request in English leaves English active in the
    test's thread (LocaleMiddleware activates the reader's language and nothing resets it)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.mark.slow
def test_simulation_learned_from_the_serial_log_predicts_the_parallel_versions_median_cycle_time(
    reference, client, supervisor
):
    call_command(
        "drive",
        cases=CASES,
        version=1,
        seed=21,
        timed=True,
        start=START,
        until=UNTIL,
        no_progress=True,
        stdout=StringIO(),
    )
    serial = version_figures(reference["serial"])

    out = StringIO()
    call_command(
        "simulate",
        "--version",
        "2",
        "--from-log",
        "--cases",
        "3000",
        "--start",
        str(START),
        "--no-progress",
        stdout=out,
    )
    run = SimulationRun.objects.get(version=reference["parallel"])
    # Worded in the command's language (Chinese by default), and again in each reader's.
    assert run.learned_from == f"business_registration v1 的事件日志（{CASES} 件）"
    with translation.override("en"):
        assert run.source_words() == f"the event log of business_registration v1 ({CASES} cases)"
    predicted = run.prediction["cycle_working_days_median"]
    # Before version 2 has run, the prediction already shows what the parallel process buys.
    assert predicted < 0.75 * serial["cycle_working_days_median"]

    call_command(
        "drive",
        cases=CASES,
        version=2,
        seed=22,
        timed=True,
        start=START,
        until=UNTIL,
        no_progress=True,
        stdout=StringIO(),
    )
    parallel = version_figures(reference["parallel"])
    measured = parallel["cycle_working_days_median"]
    assert parallel["concluded"] == CASES and measured < serial["cycle_working_days_median"]
    assert abs(predicted - measured) / measured < 0.15, (
        f"predicted {predicted:.2f}, measured {measured:.2f} working days"
    )

    # The report's side-by-side reads the same run and the same measured figures.
    comparison = side_by_side(reference["parallel"], parallel)
    row = next(r for r in comparison.rows if r.key == "cycle_working_days_median")
    assert (row.predicted, row.measured) == (predicted, measured) and abs(row.error) < 0.15
    assert comparison.measured_cases == CASES

    # The report page and command put the prediction beside the measured figure.
    client.force_login(supervisor)
    page = client.get("/reports/business_registration/").content.decode()
    card = page[page.index('data-prediction="2"') :]
    assert f'<td class="num">{predicted:.2f}</td>' in card and f'<td class="num">{measured:.2f}</td>' in card
    assert "business_registration v1 的事件日志" in card and "办理时长中位数" in card
    report = StringIO()
    call_command("report", "--process", "business_registration", stdout=report)
    assert f"预测 {predicted:8.2f}   实测 {measured:8.2f}" in report.getvalue()
    with translation.override("en"):
        report = StringIO()
        call_command("report", "--process", "business_registration", stdout=report)
    assert f"predicted {predicted:8.2f}   measured {measured:8.2f}" in report.getvalue()
    client.cookies["django_language"] = "en"
    card = client.get("/reports/business_registration/").content.decode()
    card = card[card.index('data-prediction="2"') :]
    assert "the event log of business_registration v1" in card and "Cycle time, median" in card
