"""The benchmark suite's own parts: its generated BPMN runs through the engine, its floor runs the
same case as the engine, and its report writes well-formed rows. No timing is asserted here."""

import json

import pytest

from bench import report
from bench.drive import StraightThrough
from bench.floors import SpiffFloor
from bench.generated import department, fan_out
from bench.scenarios.growth import measure
from engine import workflow_tasks as wt
from engine.models import Case, WaitingTimer
from engine.state import load_workflow
from processes.actions import do_deploy_version
from worklists.models import WorkItem

ROW_KEYS = {"figure", "value", "unit", "reference", "reference_value", "ratio", "machine", "note", "plan"}


@pytest.fixture
def fan_out_3(db):
    return do_deploy_version(fan_out(3), "bench_fan_out_3.bpmn").version


def test_a_generated_fan_out_has_a_lane_per_department_and_runs_to_its_end(fan_out_3):
    assert set(fan_out_3.elements["departments"]) == {"front_desk", *(department(i) for i in (1, 2, 3))}
    case = StraightThrough(fan_out_3, claims=False).run(0)
    assert case.status == Case.Status.COMPLETED
    items = WorkItem.objects.filter(case=case)
    assert sorted(items.values_list("department_id", flat=True)) == ["dept_01", "dept_02", "dept_03", "front_desk"]
    assert set(items.values_list("state", flat=True)) == {"completed"}
    # Each department's deadline was a boundary timer, cancelled when the department answered.
    timers = WaitingTimer.objects.filter(case=case)
    assert timers.count() == 3 and not timers.filter(cancelled_at=None).exists()


def test_the_floor_runs_the_engines_case_and_its_states_load_in_the_engine(reference):
    states = SpiffFloor(reference["parallel"]).run()
    engine_case = StraightThrough(reference["parallel"], reference["item"]).run(0)
    assert len(states) == engine_case.steps
    # The floor's last state is a finished case, in the format the engine stores.
    assert not wt.unfinished(load_workflow(reference["parallel"], states[-1]))


def test_report_rows_are_well_formed(fan_out_3, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    figures = measure(fan_out_3, None, 1)
    rows = [
        report.Row(
            "fan-out to 3: cost per step",
            figures["engine_ms"],
            "ms",
            reference="SpiffWorkflow alone",
            reference_value=figures["library_ms"],
        ),
        report.Row("nothing to compare", 1.0, "x"),
    ]
    table = report.write(rows, "test")
    records = json.loads((tmp_path / "test.json").read_text(encoding="utf-8"))
    assert [set(r) for r in records] == [ROW_KEYS, ROW_KEYS]
    first, second = records
    assert first["value"] > 0 and first["reference_value"] > 0
    assert first["ratio"] == pytest.approx(first["value"] / first["reference_value"])
    assert second["ratio"] is None and first["machine"] and "cores" in first["machine"]
    lines = table.splitlines()
    assert lines[2].startswith("| figure | value | unit | reference | reference value | ratio |")
    assert [line.split(" | ")[0] for line in lines[4:]] == ["| fan-out to 3: cost per step", "| nothing to compare"]
