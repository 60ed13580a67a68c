"""The two floors under the engine's cost per case, measured in the same run as the engine.

(a) ``SpiffFloor``: the same case in SpiffWorkflow alone, in memory: the same BPMN, the same
    completions and messages, and the state serialised after every step (without the spec, as
    the engine stores it). No database, no Django ORM. What any SpiffWorkflow-based engine must
    spend in Python.
(b) ``SqlFloor``: the same transactions in bare PostgreSQL (psycopg, no ORM): per step, lock the
    case row and write what the engine writes, the work items, the case row, the state of that
    step (the real bytes from (a)), the event-log rows and the timer. What the database must
    spend.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import workflow_tasks as wt
from engine.linear_workflow import LinearWorkflow
from engine.state import SCRIPT_ENGINE, serializer_for, specs_for
from processes.spec import build_spec

from .drive import MESSAGES, passing_outcome


class SpiffFloor:
    """``linear``: the engine's own workflow class and spec (engine.linear_workflow) instead of
    the library's, to measure what the engine's way around the library's tree walks saves."""

    def __init__(self, version, *, linear: bool = False):
        self.version = version
        if linear:
            self.workflow_class, (self.spec, self.subprocess_specs) = LinearWorkflow, specs_for(version)
        else:
            self.workflow_class = BpmnWorkflow
            self.spec, self.subprocess_specs = build_spec(
                version.bpmn_xml.encode("utf-8"), version.dialect, version.filename
            )
        self.serializer = serializer_for(version)

    def run(self, data: dict | None = None, *, outcome=None) -> list[str]:
        """One case to its end; returns the state after each step. ``outcome(task spec, round)``
        may choose other outcomes than approval (bench.drive.StraightThrough's convention)."""
        workflow = self.workflow_class(self.spec, self.subprocess_specs, script_engine=SCRIPT_ENGINE)
        case_data = {"applicant_name": "王伟", "enterprise_name": "测试", "notify_commit": False, **(data or {})}
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(case_data)
        workflow.do_engine_steps()
        states = [self.serializer.dumps(workflow)]
        pending = list(MESSAGES)
        rounds = 0
        while not workflow.is_completed():
            rounds += 1
            ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
            for task in ready:
                spec = task.task_spec.bpmn_id
                chosen = (outcome(spec, rounds) if outcome else None) or passing_outcome(self.version, spec)
                task.data.update({"opinion": "同意", f"{spec}_outcome": chosen})
                task.run()
                workflow.do_engine_steps()
                states.append(self.serializer.dumps(workflow))
            if ready:
                continue
            while pending:
                name, payload = pending.pop(0)
                waiting = wt.waiting_for_message(workflow, name)
                if waiting:
                    workflow.catch(wt.message_event(waiting[0][1], payload))
                    workflow.do_engine_steps()
                    states.append(self.serializer.dumps(workflow))
                    break
            else:
                raise RuntimeError("the floor's case waits for nothing it can be given")
        self.last_workflow = workflow
        return states


# The write plan of one straight-through business-registration case, step by step, as the engine
# writes it: (action, work items opened, events logged, timer change). A claim writes the item and
# one event; a completion closes the item and opens the next ones.
PLAN = [
    ("start", 1, 2, None),
    ("claim", 0, 1, None),
    ("complete", 1, 2, None),  # intake -> market review
    ("claim", 0, 1, None),
    ("complete", 4, 5, None),  # market review -> the four departments
    *[step for _ in range(4) for step in (("claim", 0, 1, None), ("complete", 0, 1, None))],
    ("message", 0, 1, "new"),  # the bank: the join, the licences, the rating window opens
    ("message", 0, 2, "cancel"),  # the rating: the window's timer is cancelled, the case ends
]


class SqlFloor:
    """Bare psycopg transactions into the engine's own tables (so every index is maintained)."""

    def __init__(self, conninfo: str, *, version_id: int, service_item_id: int, department: str, states: list[str]):
        import psycopg

        self.conn = psycopg.connect(conninfo)
        self.version_id, self.service_item_id, self.department = version_id, service_item_id, department
        self.states = states
        self.statements = 0

    def x(self, sql: str, params=()):
        self.statements += 1
        return self.conn.execute(sql, params)

    def run(self, n: int) -> None:
        now = dt.datetime.now(dt.UTC)
        state_index = 0
        items: list[int] = []
        case_id = None
        for action, opened, logged, timer in PLAN:
            with self.conn.transaction():
                if action == "start":
                    case_id = self.x(
                        "INSERT INTO engine_case (number, service_item_id, version_id, applicant_name, applicant_id_number,"
                        " enterprise_name, enterprise_uscc, notify_commit, status, end_activity, failure, started_at, steps,"
                        " due_at, yellow_at, clock_running_since) VALUES (%s, %s, %s, '王伟', '', '测试', '', false, 'running',"
                        " '', '', %s, 1, %s, %s, %s) RETURNING id",
                        [f"FL-{uuid.uuid4().hex[:20]}", self.service_item_id, self.version_id, now, now, now, now],
                    ).fetchone()[0]
                    self.x(
                        "INSERT INTO engine_instancestate (case_id, state, size, saved_at) VALUES (%s, %s, %s, %s)",
                        [case_id, self.states[0], len(self.states[0]), now],
                    )
                else:
                    self.x("SELECT id FROM engine_case WHERE id = %s FOR UPDATE", [case_id])
                    if action == "claim":
                        self.x(
                            "UPDATE worklists_workitem SET assignee_id = NULL, claimed_at = %s WHERE id = %s",
                            [now, items[0]],
                        )
                    else:
                        if action == "complete":
                            self.x(
                                "UPDATE worklists_workitem SET state = 'completed', completed_at = %s, outcome = 'approve'"
                                " WHERE id = %s",
                                [now, items.pop(0)],
                            )
                        state_index += 1
                        text = self.states[min(state_index, len(self.states) - 1)]
                        self.x("UPDATE engine_case SET steps = steps + 1, light = 'green' WHERE id = %s", [case_id])
                        self.x(
                            "UPDATE engine_instancestate SET state = %s, size = %s, saved_at = %s WHERE case_id = %s",
                            [text, len(text), now, case_id],
                        )
                if opened:
                    rows = [
                        (case_id, self.version_id, self.service_item_id, uuid.uuid4(), self.department, now)
                        for _ in range(opened)
                    ]
                    values = ", ".join(["(%s, %s, %s, %s, 'review', 'review', %s, '', 'open', %s, '', 1)"] * opened)
                    cursor = self.x(
                        "INSERT INTO worklists_workitem (case_id, version_id, service_item_id, task_id, task_spec, name,"
                        f" department_id, candidate_group, state, opened_at, outcome, limit_working_days) VALUES {values} RETURNING id",
                        [v for row in rows for v in row],
                    )
                    items += [row[0] for row in cursor.fetchall()]
                if timer == "new":
                    self.x(
                        "INSERT INTO engine_waitingtimer (case_id, task_id, task_spec, name, due_at, created_at, attempts,"
                        " last_error) VALUES (%s, %s, 'rating_window_closed', '', %s, %s, 0, '')",
                        [case_id, uuid.uuid4(), now + dt.timedelta(days=5), now],
                    )
                elif timer == "cancel":
                    self.x(
                        "UPDATE engine_waitingtimer SET cancelled_at = %s WHERE case_id = %s AND fired_at IS NULL"
                        " AND cancelled_at IS NULL",
                        [now, case_id],
                    )
                events = ", ".join(["(%s, %s, 'task_opened', %s, '', '', '', '', %s)"] * logged)
                self.x(
                    f"INSERT INTO engine_event (case_id, version_id, kind, at, activity, activity_name, department,"
                    f" outcome, data) VALUES {events}",
                    [
                        v
                        for _ in range(logged)
                        for v in (case_id, self.version_id, now, json.dumps({"form": {"opinion": "同意"}}))
                    ],
                )
