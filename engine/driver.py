"""The driver: works cases through the real write path, acting as each department's clerks.

Used by ``manage.py drive``, the demo, the tests and the benchmarks. Outcomes are drawn from a
seeded random generator, so a run is repeatable: mostly approvals, some correction requests,
a few rejections, some applicants choosing notify-and-commit, most applicants rating the
service (the others let the rating window's timer close it).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from stdnum.cn import ric, uscc

from worklists.models import WorkItem
from worklists.people import clerk_for

from .actions import do_claim_task, do_complete_task, do_deliver_message, do_fire_timer, do_start_case
from .errors import MessageNotExpected
from .models import Case, WaitingTimer

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
TRADES = ["科技", "贸易", "餐饮", "文化传媒", "建筑工程", "信息技术", "咨询", "物流", "电子商务", "医疗器械"]
CITIES = ["北京", "上海", "杭州", "深圳", "成都", "武汉", "南京", "苏州"]
PASS_OUTCOMES = ("approve", "accept", "pass", "resubmitted")
MAX_STEPS_PER_CASE = 400


@dataclass
class Rates:
    correction: float = 0.08
    reject: float = 0.02
    notify_commit: float = 0.2
    rating: float = 0.85
    post_check_fail: float = 0.05
    max_corrections_per_task: int = 3


@dataclass
class DriveSummary:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    ends: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    steps: int = 0

    def lines(self, seconds: float) -> list[str]:
        rate = self.cases / seconds if seconds else 0.0
        out = [f"drove {self.cases} cases in {seconds:.1f} s ({rate:.1f} cases/s, {self.steps} steps)"]
        out.append("status: " + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())))
        out.append("ended at: " + ", ".join(f"{k} {v}" for k, v in sorted(self.ends.items())))
        out.append("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())))
        return out


def applicant(rng: random.Random) -> dict:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 16000))
    id17 = f"110105{birth:%Y%m%d}{rng.randrange(0, 999):03d}"
    code17 = "91" + "110108" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    company = f"{rng.choice(CITIES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}{rng.choice(TRADES)}有限公司"
    return {
        "applicant_name": name,
        "applicant_id_number": id17 + ric.calc_check_digit(id17),
        "enterprise_name": company,
        "enterprise_uscc": code17 + uscc.calc_check_digit(code17),
    }


class Driver:
    def __init__(self, version, *, service_item=None, seed: int = 1, rates: Rates | None = None):
        self.version = version
        self.service_item = service_item
        self.rng = random.Random(seed)
        self.rates = rates or Rates()
        self.summary = DriveSummary()
        self._clerks: dict[str, object] = {}

    def clerk(self, department: str):
        if department not in self._clerks:
            self._clerks[department] = clerk_for(department)
        return self._clerks[department]

    def start(self) -> Case:
        commit = bool(self.service_item is None or self.service_item.notify_commit_allowed) and self.rng.random() < self.rates.notify_commit
        return do_start_case(version=self.version, service_item=self.service_item, notify_commit=commit,
                             acting_user=self.clerk("front_desk"), **applicant(self.rng))  # fmt: skip

    def drive(self, case: Case, max_steps: int | None = None) -> Case:
        """Work one case until it ends (or ``max_steps`` steps, to leave it mid-way for a demo)."""
        corrections: Counter = Counter()
        delivered: set[str] = set()  # each message comes once: never offer it to the case again
        budget = MAX_STEPS_PER_CASE if max_steps is None else max_steps
        while budget > 0:
            items = list(WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).order_by("id"))
            if items:
                for item in items:
                    self.work(item, corrections)
                    budget -= 1
            elif not self.wait_event(case, delivered):
                break
            budget -= 1
        case.refresh_from_db()
        self.summary.cases += 1
        self.summary.statuses[case.status] += 1
        if case.end_activity:
            self.summary.ends[case.end_activity] += 1
        self.summary.steps += case.steps
        return case

    def work(self, item: WorkItem, corrections: Counter) -> None:
        clerk = self.clerk(item.department_id)
        if clerk is not None:
            do_claim_task(item.pk, acting_user=clerk)
        outcome = self.choose_outcome(item, corrections)
        do_complete_task(item.pk, acting_user=clerk, outcome=outcome, data={"opinion": "同意" if outcome in PASS_OUTCOMES else "见通知"})
        self.summary.outcomes[outcome or "-"] += 1

    def choose_outcome(self, item: WorkItem, corrections: Counter) -> str:
        offered = self.version.user_task(item.task_spec).get("outcomes") or []
        draw = self.rng.random()
        if "correction" in offered and draw < self.rates.correction and corrections[item.task_spec] < self.rates.max_corrections_per_task:
            corrections[item.task_spec] += 1
            return "correction"
        if "reject" in offered and draw > 1 - self.rates.reject:
            return "reject"
        if "fail" in offered and draw < self.rates.post_check_fail:
            return "fail"
        return next((o for o in offered if o in PASS_OUTCOMES), offered[0] if offered else "")

    def wait_event(self, case: Case, delivered: set[str]) -> bool:
        """Play the outside world: the bank, the rating system, the passing of time."""
        case.refresh_from_db(fields=["status"])
        if case.status != Case.Status.RUNNING:
            return False
        for message, payload in self.messages():
            if message in delivered:
                continue
            try:
                do_deliver_message(case.number, message, payload=payload)
                delivered.add(message)
                return True
            except MessageNotExpected:
                continue
        timer = WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None).order_by("due_at").first()
        if timer is not None:
            return do_fire_timer(timer.pk, now=timer.due_at + dt.timedelta(seconds=1))
        return False

    def messages(self):
        yield "bank_account_opened", {"bank": "中国工商银行", "account": f"6222{self.rng.randrange(10**11, 10**12)}"}
        if self.rng.random() < self.rates.rating:
            yield "service_rated", {"rating": self.rng.choice([5, 5, 5, 4, 4, 3])}
