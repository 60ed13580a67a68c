"""The driver: works cases through the real write path, acting as each department's clerks.

Used by ``manage.py drive``, the demo, the tests and the benchmarks. Outcomes are drawn from a
seeded random generator, so a run is repeatable: mostly approvals, some correction requests,
a few rejections, some applicants choosing notify-and-commit, most applicants rating the
service (the others let the rating window's timer close it); some apply online, the others at
the window.

By default every action happens now, as fast as the engine goes. With a ``Timing``
(``drive --timed``) the driver plays simulated time instead: applications arrive one after
another, clerks claim and complete each task after waits and work drawn from the departments'
service times (demo.service_times), the applicant takes days to bring corrected material,
and other systems answer after a while. The clock is moved with time-machine, so every row
and event carries the simulated moment, through the unchanged write path. Each case is worked
to its end before the next one starts; within a case the events are in time order.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.utils import timezone
from stdnum.cn import ric, uscc

from engine import clocks
from engine.actions import (
    do_claim_task,
    do_complete_task,
    do_deliver_message,
    do_fire_timer,
    do_start_case,
    open_work_items,
)
from engine.decisions import CORRECTION, PASSING, REJECT
from engine.errors import MessageNotExpected
from engine.models import Case, WaitingTimer
from workdays.calendar_store import get_calendar
from worklists.models import WorkItem
from worklists.people import clerk_for

from .service_times import ServiceTimes, Timing, reference_office

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
TRADES = ["科技", "贸易", "餐饮", "文化传媒", "建筑工程", "信息技术", "咨询", "物流", "电子商务", "医疗器械"]
CITIES = ["北京", "上海", "杭州", "深圳", "成都", "武汉", "南京", "苏州"]
MAX_STEPS_PER_CASE = 400


@dataclass
class Rates:
    """How often each thing happens. ``Rates.of(office)`` takes them from the office figures that
    ``simulate`` reads (demo.service_times.reference_office): the defaults below are the shipped ones."""

    correction: float = 0.08
    reject: float = 0.02
    notify_commit: float = 0.2
    rating: float = 0.85
    post_check_fail: float = 0.05
    # A task with no deadline of its own while a timer waits beside it (a rectification period on a
    # boundary timer): how often the applicant acts in time; otherwise the timer runs out.
    acts_before_timer: float = 0.5
    max_corrections_per_task: int = 3
    online: float = 0.4  # applications made online (一网通办); the others at the window

    @classmethod
    def of(cls, office) -> Rates:
        """The rates the office figures give (simulation.params.Params), the others at their defaults."""
        shares, rating = office.default.outcomes or {}, office.messages.get("service_rated")
        return cls(
            correction=shares.get("correction", cls.correction),
            reject=shares.get("reject", cls.reject),
            notify_commit=office.case.get("notify_commit", cls.notify_commit),
            rating=rating.probability if rating is not None else cls.rating,
            post_check_fail=shares.get("fail", cls.post_check_fail),
        )


@dataclass
class DriveSummary:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    ends: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    steps: int = 0
    not_arrived: int = 0  # timed runs: applications that would arrive after the run's end

    def lines(self, seconds: float) -> list[str]:
        rate = self.cases / seconds if seconds else 0.0
        out = [f"drove {self.cases} cases in {seconds:.1f} s ({rate:.1f} cases/s, {self.steps} steps)"]
        out.append("status: " + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())))
        out.append("ended at: " + ", ".join(f"{k} {v}" for k, v in sorted(self.ends.items())))
        out.append("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())))
        if self.not_arrived:
            out.append(f"not started: {self.not_arrived} applications would arrive after the end of simulated time")
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


def answers(task: dict, outcome: str) -> dict:
    """What a clerk enters with ``outcome``: every field of the task's form, as a clerk fills it
    in, and a rejection's reason (the write path refuses a decision without what it must say;
    a correction's list comes from ``Driver.correction_notice``)."""
    passing = outcome in PASSING
    data = {}
    for spec in task.get("form_fields") or []:
        kind = spec.get("type") or "string"
        if kind == "boolean":
            data[spec["id"]] = passing
        elif kind in ("long", "integer"):
            data[spec["id"]] = 1
        elif kind == "date":
            data[spec["id"]] = timezone.localdate().isoformat()
        elif kind == "enum":
            values = spec.get("values") or []
            data[spec["id"]] = values[0]["id"] if values else None
        else:
            data[spec["id"]] = "同意" if passing else "见通知"
    if outcome == REJECT:
        data["reject_reason"] = "经营范围含须经审批的项目，不予登记。"  # as a clerk writes it
    return data


def timing_from(
    start: dt.datetime, service_times: ServiceTimes | None = None, *, until: dt.datetime | None = None
) -> Timing:
    return Timing(start_at=start, calendar=get_calendar(), service_times=service_times or ServiceTimes(), until=until)


class Driver:
    def __init__(
        self, version, *, service_item=None, seed: int = 1, rates: Rates | None = None, timing: Timing | None = None
    ):
        self.version = version
        self.service_item = service_item
        self.rng = random.Random(seed)
        # Channels, correction notes and simulated durations draw from a generator of their own,
        # so that the outcomes of a seed stay what they were before these were drawn at all.
        self.world = random.Random(f"{seed}/world")
        self.rates = rates or Rates.of(timing.service_times.office if timing else reference_office())
        self.timing = timing
        self.summary = DriveSummary()
        self._clerks: dict[str, object] = {}

    def clerk(self, department: str):
        if department not in self._clerks:
            self._clerks[department] = clerk_for(department)
        return self._clerks[department]

    def start(self) -> Case | None:
        """The next application; None when, in simulated time, it would arrive after the run's end."""
        commit = (
            bool(self.service_item is None or self.service_item.notify_commit_allowed)
            and self.rng.random() < self.rates.notify_commit
        )
        channel = Case.Channel.ONLINE if self.world.random() < self.rates.online else Case.Channel.WINDOW

        def start():
            return do_start_case(
                version=self.version,
                service_item=self.service_item,
                notify_commit=commit,
                channel=channel,
                acting_user=self.clerk("front_desk"),
                **applicant(self.rng),
            )

        if self.timing is None:
            return start()
        arrival = self.timing.arrival(self.world)
        if self.timing.over(arrival):
            self.summary.not_arrived += 1
            return None
        return at_moment(arrival, start)

    def drive(self, case: Case | None, max_steps: int | None = None) -> Case | None:
        """Work one case until it ends (or ``max_steps`` steps, to leave it mid-way for a demo; or,
        in simulated time, until the run's end). None for an application that never arrived."""
        if case is None:
            return None
        corrections: Counter = Counter()
        delivered: set[str] = set()  # each message comes once: never offer it to the case again
        budget = MAX_STEPS_PER_CASE if max_steps is None else max_steps
        if self.timing is not None:
            TimedCase(self, case, corrections, delivered).run(budget)
            budget = 0
        while budget > 0:
            items = open_work_items(case.pk)
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
        if self.let_timer_run_out(item):
            return
        self.claim(item)
        self.complete(item, corrections)

    def let_timer_run_out(self, item: WorkItem) -> bool:
        """An undated task with a timer waiting beside it: sometimes nobody acts and the timer fires."""
        if item.due_at is not None or self.rng.random() < self.rates.acts_before_timer:
            return False
        timer = (
            WaitingTimer.objects.filter(case_id=item.case_id, fired_at=None, cancelled_at=None)
            .order_by("due_at")
            .first()
        )
        return timer is not None and do_fire_timer(timer.pk, now=timer.due_at + dt.timedelta(seconds=1))

    def claim(self, item: WorkItem) -> None:
        clerk = self.clerk(item.department_id)
        if clerk is not None:
            do_claim_task(item.pk, acting_user=clerk)

    def complete(self, item: WorkItem, corrections: Counter) -> None:
        outcome = self.choose_outcome(item, corrections)
        data = answers(self.version.user_task(item.task_spec), outcome)
        if outcome == CORRECTION:
            data.update(self.correction_notice())
        do_complete_task(item.pk, acting_user=self.clerk(item.department_id), outcome=outcome, data=data)
        self.summary.outcomes[outcome or "-"] += 1

    def correction_notice(self) -> dict:
        """一次性告知: what is missing, as a clerk writes it on the task page."""
        kinds = list(getattr(self.service_item, "materials", None) or ["申请书 application form"])
        missing = self.world.sample(kinds, k=min(len(kinds), 1 + (self.world.random() < 0.3)))
        return {"missing_materials": missing, "notice": "请一次性补齐：" + "、".join(m.split(" ")[0] for m in missing)}

    def choose_outcome(self, item: WorkItem, corrections: Counter) -> str:
        offered = self.version.user_task(item.task_spec).get("outcomes") or []
        draw = self.rng.random()
        if (
            CORRECTION in offered
            and draw < self.rates.correction
            and corrections[item.task_spec] < self.rates.max_corrections_per_task
        ):
            corrections[item.task_spec] += 1
            return CORRECTION
        if REJECT in offered and draw > 1 - self.rates.reject:
            return REJECT
        if "fail" in offered and draw < self.rates.post_check_fail:
            return "fail"
        return next((o for o in offered if o in PASSING), offered[0] if offered else "")

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


def at_moment(moment: dt.datetime, action):
    """Run ``action`` with the clock standing at ``moment`` (time-machine: every now() in the
    write path, SpiffWorkflow's timers included, reads it)."""
    try:
        import time_machine
    except ImportError:  # the demo extra is not installed
        raise RuntimeError(
            "simulated time needs time-machine: pip install 'binglian[demo]' (make run installs it)"
        ) from None

    with time_machine.travel(moment, tick=False):
        return action()


class TimedCase:
    """One case worked in simulated time: always the next thing to happen, of

    - a clerk claiming an open task (after the department's wait) or completing it (after the work);
    - another system's message (after its delay since the last step: offered then, and if the
      case does not wait for it yet, offered again after the next step);
    - the case's earliest waiting timer.
    """

    def __init__(self, driver: Driver, case: Case, corrections: Counter, delivered: set[str]):
        self.driver, self.case, self.corrections, self.delivered = driver, case, corrections, delivered
        self.timing = driver.timing
        self.times = driver.timing.service_times
        self.claim_at: dict[int, dt.datetime] = {}
        self.complete_at: dict[int, dt.datetime] = {}
        self.last_step_at = case.started_at
        self.refused: set[str] = set()
        self.left: set[int] = set()  # tasks nobody acts on: their timer runs out
        world = driver.world
        # Which messages this case will get and how long each takes, drawn once per case.
        self.delays = {"bank_account_opened": self.times.message_hours("bank_account_opened", world)}
        if world.random() < driver.rates.rating:
            self.delays["service_rated"] = self.times.message_hours("service_rated", world)

    def run(self, budget: int) -> None:
        while budget > 0:
            candidates = self.candidates()
            if not candidates:
                return
            moment, _, act = min(candidates, key=lambda c: (c[0], c[1]))
            if self.timing.over(moment):  # the run ends before this step: the case waits there
                return
            at_moment(moment, act)
            budget -= 1

    def candidates(self) -> list[tuple]:
        self.case.refresh_from_db(fields=["status"])
        if self.case.status != Case.Status.RUNNING:
            return []
        out = []
        timer = WaitingTimer.objects.filter(case=self.case, fired_at=None, cancelled_at=None).order_by("due_at").first()
        for item in WorkItem.objects.filter(case=self.case, state=WorkItem.State.OPEN).order_by("id"):
            if item.pk in self.left:
                continue
            if item.pk not in self.claim_at:
                # As in untimed runs: an undated task beside a waiting timer is sometimes left to it.
                if (
                    item.due_at is None
                    and timer is not None
                    and self.driver.rng.random() >= self.driver.rates.acts_before_timer
                ):
                    self.left.add(item.pk)
                    continue
                applicant = bool(clocks.stops_case_clock(self.driver.version.user_task(item.task_spec)))
                wait = self.times.wait_hours(item.department_id, self.driver.world, applicant=applicant)
                self.claim_at[item.pk] = self.timing.after(item.opened_at, wait)
            if item.assignee_id is None and self.driver.clerk(item.department_id) is not None:
                out.append((self.claim_at[item.pk], item.pk, partial(self.claim, item)))
            else:
                done_at = self.complete_at.get(item.pk) or self.claim_at[item.pk]
                out.append((done_at, item.pk, partial(self.complete, item)))
        for name, hours in self.delays.items():
            if name not in self.delivered and name not in self.refused:
                out.append((self.timing.after(self.last_step_at, hours), 0, partial(self.offer, name)))
        if timer is not None:
            fire_at = max(timer.due_at + dt.timedelta(seconds=1), self.last_step_at)
            out.append((fire_at, -1, partial(self.fire, timer)))
        return out

    def claim(self, item: WorkItem) -> None:
        self.driver.claim(item)
        work = self.times.work_hours(item.department_id, self.driver.world)
        self.complete_at[item.pk] = self.timing.after(self.claim_at[item.pk], work)

    def complete(self, item: WorkItem) -> None:
        self.driver.complete(item, self.corrections)
        self.stepped()

    def offer(self, name: str) -> None:
        payload = {"bank": "中国工商银行", "account": f"6222{self.driver.world.randrange(10**11, 10**12)}"}
        if name == "service_rated":
            payload = {"rating": self.driver.world.choice([5, 5, 5, 4, 4, 3])}
        try:
            do_deliver_message(self.case.number, name, payload=payload)
        except MessageNotExpected:
            self.refused.add(name)
            return
        self.delivered.add(name)
        self.stepped()

    def fire(self, timer: WaitingTimer) -> None:
        do_fire_timer(timer.pk, now=timer.due_at + dt.timedelta(seconds=1))
        self.stepped()

    def stepped(self) -> None:
        self.last_step_at = timezone.now()
        self.refused.clear()
