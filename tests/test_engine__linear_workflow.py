"""The engine's LinearWorkflow gives SpiffWorkflow's own answers, step for step.

Two copies of each case run side by side in memory: one in the library's BpmnWorkflow on the spec
as parsed, one in the engine's LinearWorkflow on the spec with linear joins. After every step
(a completion with a drawn outcome, a message, a timer) both have the same tasks, created in the
same order, in the same states, with the same data.
"""

import random

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from bench.generated import fan_out
from engine import workflow_tasks as wt
from engine.linear_workflow import LinearWorkflow, linearise_joins
from engine.state import SCRIPT_ENGINE
from processes.spec import build_spec
from tests.conftest import BPMN_DIR, FIXTURES

MESSAGES = {"bank_account_opened": {"bank": "工商银行"}, "service_rated": {"rating": 4}}


def snapshot(workflow) -> list:
    return [(t.task_spec.name, t.state, sorted(t.data.items(), key=str)) for t in wt.all_tasks(workflow)]


def drawn_outcome(task, rng: random.Random) -> str:
    if "review" in task.task_spec.bpmn_id:
        return rng.choices(["approve", "correction", "reject"], weights=[6, 3, 1])[0]
    return rng.choice(["accept", "resubmitted", "pass", "fail", "rectified"])


def step(workflow, rng: random.Random, choose=drawn_outcome) -> bool:
    """One thing happens; False once the case has nothing left to do."""
    ready = wt.ready_user_tasks(workflow)
    if ready:
        task = ready[rng.randrange(len(ready))]
        outcome = choose(task, rng)
        wt.complete_user_task(task, outcome=outcome, data={"opinion": "同意"})
    else:
        for name, payload in MESSAGES.items():
            if wt.deliver_message(workflow, name, payload):
                break
        else:
            timers = wt.waiting_timers(workflow)
            if not timers:
                return False
            wt.fire_timer(workflow, timers[0])
    wt.run_engine_steps(workflow)
    return True


def side_by_side(xml: bytes, seed: int, data: dict, max_steps: int = 400, choose=drawn_outcome) -> int:
    plain = build_spec(xml, "camunda")
    linear = build_spec(xml, "camunda")
    linearise_joins(*linear)
    library = BpmnWorkflow(*plain, script_engine=SCRIPT_ENGINE)
    engine = LinearWorkflow(*linear, script_engine=SCRIPT_ENGINE)
    for workflow in (library, engine):
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        wt.run_engine_steps(workflow)
    steps = 0
    rngs = random.Random(seed), random.Random(seed)
    while steps < max_steps:
        assert snapshot(engine) == snapshot(library), f"seed {seed}: diverged after {steps} steps"
        moved = [step(library, rngs[0], choose), step(engine, rngs[1], choose)]
        assert moved[0] == moved[1]
        if not moved[0]:
            break
        steps += 1
    assert snapshot(engine) == snapshot(library)
    return steps


@pytest.mark.parametrize("seed", range(12))
def test_reference_process_runs_alike_with_corrections_rejections_and_commitments(seed):
    xml = (BPMN_DIR / "business_registration.bpmn").read_bytes()
    assert side_by_side(xml, seed, {"notify_commit": seed % 3 == 0, "applicant_name": "王伟"}) >= 2


@pytest.mark.parametrize("seed", range(3))
def test_fan_out_with_deadlines_runs_alike_when_some_timers_fire(seed):
    # Every timer that fires deems its department's approval; the others answer.
    assert side_by_side(fan_out(12), seed, {}) >= 13


def test_a_loop_runs_alike_round_after_round():
    def correction_then_approval(task, rng):
        done = [
            t for t in wt.all_tasks(task.workflow) if t.task_spec.bpmn_id == "review" and t.state == TaskState.COMPLETED
        ]
        return "correction" if len(done) < 60 else "approve"

    xml = (FIXTURES / "engine" / "review_loop.bpmn").read_bytes()
    assert side_by_side(xml, 5, {}, max_steps=120, choose=correction_then_approval) == 61
