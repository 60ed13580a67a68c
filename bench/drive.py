"""Driving one case straight through the write path, as the benchmarks measure it.

Every department approves; the clerk of each department claims the task, then completes it;
the bank and the rating arrive as messages when the case waits for them. Each action runs inside
``meter(phase)``, so that a client can count statements and time by phase: start, read (the
clerk's list of open tasks), claim, complete, message.
"""

from __future__ import annotations

from contextlib import nullcontext

from demo.driver import answers
from engine.actions import do_claim_task, do_complete_task, do_deliver_message, do_start_case, open_work_items
from engine.decisions import CORRECTION, PASSING
from engine.errors import CaseNotRunning, MessageNotExpected
from engine.models import Case
from worklists.people import clerk_for

CORRECTION_NOTICE = {"missing_materials": ["章程 articles of association"], "notice": "请一次性补齐：章程"}
MESSAGES = [
    ("bank_account_opened", {"bank": "中国工商银行", "account": "6222000000000000"}),
    ("service_rated", {"rating": 5}),
]


def no_meter(phase: str):
    return nullcontext()


def passing_outcome(version, task_spec: str) -> str:
    offered = version.user_task(task_spec).get("outcomes") or []
    return next((o for o in offered if o in PASSING), offered[0] if offered else "")


class StraightThrough:
    """Cases of one version where everyone approves; ``claims`` as the clerks' pages do."""

    def __init__(self, version, service_item=None, *, meter=no_meter, claims: bool = True):
        self.version, self.service_item, self.meter, self.claims = version, service_item, meter, claims
        self.clerks: dict[str, object] = {}
        self.completions = 0

    def clerk(self, department: str):
        if department not in self.clerks:
            self.clerks[department] = clerk_for(department) if self.claims else None
        return self.clerks[department]

    def start(self, n: int) -> Case:
        with self.meter("start"):
            return do_start_case(
                version=self.version,
                service_item=self.service_item,
                acting_user=self.clerk("front_desk"),
                applicant_name="王伟",
                enterprise_name=f"杭州测试{n}科技有限公司",
            )

    def run(self, n: int, *, outcome=None, messages=MESSAGES, to_end: bool = True) -> Case:
        """Start case ``n`` and work it to its end; ``outcome(task spec, round)`` may choose other
        outcomes. With other ``messages`` and not ``to_end``, the case stops where it waits."""
        case = self.start(n)
        pending = list(messages)
        rounds = 0
        while rounds < 10_000:
            rounds += 1
            with self.meter("read"):
                items = open_work_items(case.pk)
            for item in items:
                clerk = self.clerk(item.department_id)
                if clerk is not None:
                    with self.meter("claim"):
                        do_claim_task(item.pk, acting_user=clerk)
                chosen = outcome(item.task_spec, rounds) if outcome else None
                chosen = chosen or passing_outcome(self.version, item.task_spec)
                data = answers(self.version.user_task(item.task_spec), chosen)
                if chosen == CORRECTION:
                    data.update(CORRECTION_NOTICE)
                with self.meter("complete"):
                    do_complete_task(item.pk, acting_user=clerk, outcome=chosen, data=data)
                self.completions += 1
            if items:
                continue
            if not self.deliver_next(case, pending):
                break
        case.refresh_from_db()
        if to_end and case.status != Case.Status.COMPLETED:
            raise RuntimeError(f"case {case.number} did not end: {case.status}")
        return case

    def deliver_next(self, case: Case, pending: list) -> bool:
        while pending:
            message, payload = pending.pop(0)
            try:
                with self.meter("message"):
                    do_deliver_message(case.number, message, payload=payload)
                return True
            except MessageNotExpected:
                continue
            except CaseNotRunning:  # it ended without waiting for anything
                return False
        return False
