"""What-if simulation: 10,000 cases must take seconds, not minutes.

Measured: ``simulate`` of 10,000 business-registration cases (``--quick``: 2,000), the parallel
version and the serial one, with the shipped figures (simulation/reference_office.toml), in
memory through the engine. Reference: the same kind of cases driven through the database write
path in simulated time (``drive --timed``), per case, scaled to the same number of cases.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from bench.report import Row
from demo.driver import Driver, timing_from
from demo.seed import deploy_reference_processes, ensure_demo_people, ensure_service_items
from processes.models import ProcessVersion
from simulation.loop import Simulation
from simulation.params import load_params
from workdays.calendar_store import get_calendar
from workdays.clock import Limit

FIGURES = Path(__file__).resolve().parents[2] / "simulation" / "reference_office.toml"


def simulate(version, item, cases: int) -> tuple[float, Simulation]:
    limits = (
        Limit(working_days=item.promised_limit_working_days),
        Limit(working_days=item.statutory_limit_working_days),
    )
    simulation = Simulation(
        version,
        load_params(FIGURES),
        cases=cases,
        calendar=get_calendar(),
        first_day=dt.date(2027, 3, 1),
        case_limits=limits,
        seed=1,
    )
    started = time.perf_counter()
    tally = simulation.run()
    seconds = time.perf_counter() - started
    assert len(tally.cases) == cases and not tally.failures, tally.failures
    return seconds, simulation


def drive_per_case(version, item, cases: int) -> float:
    start = dt.datetime(2027, 3, 1, 9, tzinfo=get_calendar().zone)
    driver = Driver(version, service_item=item, seed=1, timing=timing_from(start))
    started = time.perf_counter()
    for _ in range(cases):
        driver.drive(driver.start())
    return (time.perf_counter() - started) / cases


def run(quick: bool) -> list[Row]:
    deploy_reference_processes()
    item = ensure_service_items()
    ensure_demo_people(password=None)
    versions = {v.number: v for v in ProcessVersion.objects.filter(definition__key="business_registration")}
    cases = 2_000 if quick else 10_000
    rows = []
    for number, shape in ((2, "parallel"), (1, "serial")):
        version = versions[number]
        seconds, simulation = simulate(version, item, cases)
        per_case = drive_per_case(version, item, 10 if quick else 30)
        machine = simulation.machine
        rows.append(
            Row(
                f"simulate {cases:,} cases, business registration v{number} ({shape})",
                seconds,
                "s",
                note=f"{machine.engine_steps:,} engine steps for {machine.nodes:,} distinct states",
            )
        )
        rows.append(
            Row(
                f"simulation speed, v{number} ({shape})",
                cases / seconds,
                "cases/s",
                reference="the same cases driven through the write path (drive --timed)",
                reference_value=1 / per_case,
                note="ratio: how many times faster than through the database",
            )
        )
    return rows
