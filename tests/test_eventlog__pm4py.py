"""PM4Py reads the XES and the OCEL export of driven cases and discovers the process: its
activities are exactly the user tasks of the BPMN, one each.

PM4Py is AGPL-3.0: a test extra only, imported here and in the benchmarks, never by product
code. A few dozen cases driven with raised correction and post-check rates take every path; the
SQLite pass also drives 1,000 cases with the default rates (as does bench/scenarios/export.py).
"""

from __future__ import annotations

import warnings

import pytest

from demo.driver import Rates
from engine.models import Case

from .eventlog_cases import drive, expected_activities, export

CASES = 30


@pytest.fixture
def pm4py():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its dependencies' deprecation notices
        import pm4py

    return pm4py


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")
def test_pm4py_discovers_exactly_the_user_tasks_from_xes_and_ocel(reference, tmp_path, pm4py):
    version = reference["parallel"]
    drive(version, reference["item"], CASES)
    user_tasks = expected_activities(version)
    assert len(user_tasks) == len(version.elements["user_tasks"])

    log = pm4py.read_xes(export(tmp_path / "log.xes", "xes"))
    assert log["case:concept:name"].nunique() == Case.objects.count() == CASES
    net, _, _ = pm4py.discover_petri_net_inductive(log)
    assert {t.label for t in net.transitions if t.label} == user_tasks

    ocel = pm4py.read_ocel2_json(export(tmp_path / "log.jsonocel", "ocel"))
    assert set(ocel.objects["ocel:type"]) >= {"case", "task", "department", "applicant", "enterprise"}
    assert set(pm4py.discover_ocdfg(ocel)["activities"]) == user_tasks
    # The case view of the object-centric log is the same process again.
    flat = pm4py.ocel_flattening(ocel, "case")
    net, _, _ = pm4py.discover_petri_net_inductive(flat, activity_key="concept:name", case_id_key="case:concept:name")
    assert {t.label for t in net.transitions if t.label} == user_tasks


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")
def test_pm4py_on_a_thousand_cases_driven_with_the_default_rates(reference, tmp_path, pm4py):
    """The issue's figure: 1,000 cases as the driver works them by default (mostly approvals). Run
    in the SQLite pass only, where driving them is quickest; the PostgreSQL pass has the test above."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip(
            "the 1,000-case run is in the SQLite pass of make test; the PostgreSQL pass exports the 30 cases above"
        )
    version = reference["parallel"]
    drive(version, reference["item"], 1000, seed=1, rates=Rates())
    user_tasks = expected_activities(version)
    log = pm4py.read_xes(export(tmp_path / "log.xes", "xes"))
    assert log["case:concept:name"].nunique() == 1000
    net, _, _ = pm4py.discover_petri_net_inductive(log)
    assert {t.label for t in net.transitions if t.label} == user_tasks
    ocel = pm4py.read_ocel2_json(export(tmp_path / "log.jsonocel", "ocel"))
    assert set(pm4py.discover_ocdfg(ocel)["activities"]) == user_tasks
