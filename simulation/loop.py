"""The discrete-event loop: applications arrive, departments work their queues, the engine
decides what follows each step.

The model, in office time (simulation.office):

- applications arrive one after another in office hours, a Poisson stream of
  ``arrivals_per_day`` per working day;
- a user task opens when the engine makes it ready. After its ``wait`` (a clerk turning to
  the inbox; for a correction, the applicant bringing the material) it can be taken up, by a
  free clerk of its lane's department. A department with K clerks works at most K tasks at
  once; the others queue, earliest due first, as the department's queue page lists them. A
  department without a staff figure has a clerk free whenever a task is ready;
- the clerk works the task's ``work`` hours, completes it with an outcome drawn from the
  task's shares, and the engine takes the step (engine.in_memory);
- a message the case begins to wait for arrives its ``delay`` later (or, with the share
  ``1 - probability``, never); a timer fires at its due time as the engine computed it;
- the case clock and each task's clock follow the engine's rules (workdays.clock): limits in
  working days, the case clock stopped while a task that stops it is open.

The figures that come out (cycle times, queues, waits, breaches) are gathered in a Tally.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random

from django.utils.translation import gettext as _

from engine.clocks import PAUSING_OUTCOMES, stops_case_clock, task_limits
from engine.in_memory import COMPLETE, MESSAGE, TIMER, ProcessFailed, ProcessMachine
from workdays.calendar import WorkCalendar
from workdays.clock import Limit

from .office import DAY, OfficeClock
from .params import FALLBACK_MESSAGE, Params

ARRIVE, READY, DONE, MESSAGE_DUE, TIMER_DUE = range(5)
WAITING, QUEUED, IN_WORK, FINISHED, CANCELLED = range(5)
MAX_STEPS_PER_CASE = 1000
NO_DUE = float("inf")
BASE_CASE_DATA = {"applicant_name": "", "enterprise_name": "", "notify_commit": False}


class SimTask:
    __slots__ = ("case", "spec", "department", "opened", "due", "stops_clock", "claimed", "state", "kind")

    def __init__(self, case, spec, kind, opened, due):
        self.case, self.spec, self.kind, self.opened, self.due = case, spec, kind, opened, due
        self.department, self.stops_clock = kind.department, kind.stops_clock
        self.claimed, self.state = None, WAITING


class SimCase:
    __slots__ = (
        "number",
        "node",
        "started",
        "open",
        "timers",
        "messages",
        "clock_since",
        "clock_used",
        "due",
        "statutory_due",
        "stopping",
        "used_by_task",
        "steps",
        "concluded",
        "concluded_exact",
    )

    def __init__(self, number: int, started: float):
        self.number, self.started, self.node = number, started, None
        self.concluded = self.concluded_exact = None
        self.open: list[SimTask] = []
        self.timers: dict[str, object] = {}
        self.messages: dict[str, object] = {}
        self.clock_since, self.clock_used, self.stopping, self.steps = started, 0, 0, 0
        self.due = self.statutory_due = NO_DUE
        self.used_by_task: dict[str, int] = {}


class TaskKind:
    """What the loop needs about one user task of the version, worked out once."""

    __slots__ = ("spec", "department", "stops_clock", "wait", "work", "outcomes", "cumulative", "promised", "statutory")

    def __init__(self, spec: str, meta: dict, params: Params, notes: set[str]):
        self.spec, self.department = spec, meta.get("department") or ""
        self.stops_clock = bool(stops_case_clock(meta))
        self.promised, self.statutory = task_limits(meta)
        # A task that waits for the applicant takes the applicant's figures, not its department's.
        figures, why = params.for_task(spec, "applicant" if self.stops_clock else self.department)
        notes.update(why)
        self.wait, self.work = figures.wait, figures.work
        offered = meta.get("outcomes") or []
        shares = {o: s for o, s in figures.outcomes.items() if o in offered and s > 0}
        if offered and not shares:
            notes.add(
                _("%(task)s: no outcome shares; every completion '%(outcome)s'") % {"task": spec, "outcome": offered[0]}
            )
            shares = {offered[0]: 1.0}
        total = sum(shares.values()) or 1.0
        self.outcomes = list(shares) or [""]
        self.cumulative = list(itertools.accumulate(s / total for s in shares.values())) or [1.0]

    def outcome(self, rng: random.Random) -> str:
        draw = rng.random()
        for name, edge in zip(self.outcomes, self.cumulative, strict=True):
            if draw < edge:
                return name
        return self.outcomes[-1]


class Department:
    __slots__ = (
        "code",
        "staff",
        "busy",
        "queue",
        "waiting",
        "last",
        "peak",
        "by_day",
        "waits",
        "works",
        "tasks",
        "red",
        "applicant",
    )

    def __init__(self, code: str, staff: int | None):
        self.code, self.staff = code, staff
        self.busy = self.waiting = self.peak = self.tasks = self.red = 0
        self.queue: list = []  # (due, sequence, task) of tasks ready to be taken up
        self.last = 0.0
        self.by_day: dict[int, tuple[float, float]] = {}  # working day -> (queue length, busy clerks) x office hours
        self.waits: list[float] = []  # opened -> claimed, office hours (the department's own tasks)
        self.works: list[float] = []  # claimed -> completed
        self.applicant: list[float] = []  # opened -> completed of tasks that wait for the applicant

    def account(self, moment: float) -> None:
        """Integrate the queue length and the busy clerks up to ``moment``, per working day."""
        last = self.last
        if moment <= last:
            return
        if self.waiting or self.busy:
            while last < moment:
                day = int(last // DAY)
                end = min(moment, (day + 1) * DAY)
                waiting, busy = self.by_day.get(day, (0.0, 0.0))
                self.by_day[day] = (waiting + self.waiting * (end - last), busy + self.busy * (end - last))
                last = end
        self.last = moment


class Tally:
    """What happened to every simulated case and task."""

    def __init__(self):
        # (started, concluded, the concluding moment as a datetime when a timer concluded it (else
        # None), concluded late, concluded past the statutory limit, the end event, ended)
        self.cases: list[tuple[float, float, dt.datetime | None, bool, bool, str, float]] = []
        self.failures: dict[str, int] = {}
        self.tasks = self.tasks_red = 0
        self.last_arrival = 0.0


class Simulation:
    def __init__(
        self,
        version,
        params: Params,
        *,
        cases: int,
        calendar: WorkCalendar,
        first_day: dt.date,
        case_limits: tuple[Limit, Limit] = (Limit(), Limit()),
        seed: int = 1,
        machine: ProcessMachine | None = None,
        progress=None,
    ):
        if not params.arrivals_per_day:
            raise ValueError("the arrival rate is not known: give --arrivals PER_DAY or learn it from a log")
        self.version, self.params, self.count = version, params, cases
        self.clock = OfficeClock(calendar, first_day)
        self.calendar = calendar
        self.machine = machine or ProcessMachine(version)
        self.rng = random.Random(seed)
        self.case_limits = case_limits
        self.progress = progress
        self.notes: set[str] = set()
        self.kinds = {
            spec: TaskKind(spec, meta, params, self.notes)
            for spec, meta in version.elements.get("user_tasks", {}).items()
        }
        codes = set(version.elements.get("departments", {})) | {k.department for k in self.kinds.values()}
        self.departments = {code: Department(code, params.staff.get(code)) for code in sorted(codes)}
        self.tally = Tally()
        self._events: list = []
        self._sequence = itertools.count()
        self._started = 0

    # -- the loop -----------------------------------------------------------------------------

    def run(self) -> Tally:
        self._at(0.0, ARRIVE, None, None)
        events, rng = self._events, self.rng
        while events:
            moment, _order, kind, subject, detail = heapq.heappop(events)
            if kind == DONE:
                self._done(subject, moment)
            elif kind == READY:
                if subject.state == WAITING:
                    subject.state = QUEUED
                    self._queue(self.departments[subject.department], subject, moment)
            elif kind == ARRIVE:
                self._arrive(moment)
                if self._started < self.count:
                    self._at(moment + rng.expovariate(self.params.arrivals_per_day / DAY), ARRIVE, None, None)
            elif kind == MESSAGE_DUE:
                name, token = detail
                if subject.messages.get(name) is token:
                    del subject.messages[name]
                    self._step(subject, (MESSAGE, name), moment)
            elif kind == TIMER_DUE:
                timer, token, exact = detail
                if subject.timers.get(timer) is token:
                    del subject.timers[timer]
                    self._step(subject, (TIMER, timer), moment, exact)
        for department in self.departments.values():
            department.account(self.tally.last_arrival)
        return self.tally

    def _at(self, moment: float, kind: int, subject, detail) -> None:
        heapq.heappush(self._events, (moment, next(self._sequence), kind, subject, detail))

    def _arrive(self, moment: float) -> None:
        self._started += 1
        self.tally.last_arrival = moment
        case = SimCase(self._started, moment)
        data = dict(BASE_CASE_DATA)
        for name, share in self.params.case.items():
            data[name] = self.rng.random() < share
        case.due, case.statutory_due = self._case_due(moment, 0)
        try:
            edge = self.machine.start(data)
        except ProcessFailed as error:
            self._fail(case, str(error), moment)
            return
        self._apply(case, edge, moment, None)

    def _step(self, case: SimCase, action: tuple, moment: float, exact: dt.datetime | None = None) -> None:
        case.steps += 1
        if case.steps > MAX_STEPS_PER_CASE:
            self._fail(
                case, _("more than %(steps)s steps: the process did not end") % {"steps": MAX_STEPS_PER_CASE}, moment
            )
            return
        try:
            edge = self.machine.step(case.node, action)
        except ProcessFailed as error:
            self._fail(case, str(error), moment)
            return
        self._apply(case, edge, moment, exact)

    def _apply(self, case: SimCase, edge, moment: float, exact: dt.datetime | None) -> None:
        case.node = edge.node
        if edge.concludes and case.concluded is None:
            case.concluded, case.concluded_exact = moment, exact
        for spec in edge.cancelled:
            task = next((t for t in case.open if t.spec == spec), None)
            if task is not None:
                self._cancel(task, moment)
        for spec in edge.opened:
            self._open(case, spec, moment)
        for timer in edge.timers_stopped:
            case.timers.pop(timer, None)
        for timer, seconds in edge.timers:
            token = object()
            case.timers[timer] = token
            due = self.clock.to_datetime(moment) + dt.timedelta(seconds=seconds)
            self._at(max(self.clock.from_datetime(due), moment), TIMER_DUE, case, (timer, token, due))
        for name in edge.messages_stopped:
            case.messages.pop(name, None)
        for name in edge.messages:
            message = self.params.messages.get(name)
            if message is None:
                self.notes.add(_("message '%(message)s': no figures; assumed it arrives at once") % {"message": name})
                message = FALLBACK_MESSAGE
            if self.rng.random() < message.probability:
                token = object()
                case.messages[name] = token
                self._at(moment + message.delay.sample(self.rng), MESSAGE_DUE, case, (name, token))
        if edge.node.ended:
            if case.concluded is None:  # ended without a result (rejected): concluded now
                case.concluded, case.concluded_exact = moment, exact
            self._end(case, moment, edge.node.end_activity)
        elif case.concluded is None:
            self._case_clock(case, moment)

    # -- tasks and departments ----------------------------------------------------------------

    def _open(self, case: SimCase, spec: str, moment: float) -> None:
        kind = self.kinds.get(spec)
        if kind is None:  # a user task the deploy-time description does not list
            kind = self.kinds[spec] = TaskKind(spec, {}, self.params, self.notes)
            self.departments.setdefault(
                kind.department, Department(kind.department, self.params.staff.get(kind.department))
            )
        due = self._task_due(kind, moment, case.used_by_task.get(spec, 0))
        task = SimTask(case, spec, kind, moment, due)
        case.open.append(task)
        if task.stops_clock:
            case.stopping += 1
        department = self.departments[task.department]
        department.account(moment)
        department.waiting += 1
        if department.waiting > department.peak:
            department.peak = department.waiting
        self._at(moment + kind.wait.sample(self.rng), READY, task, None)

    def _queue(self, department: Department, task: SimTask, moment: float) -> None:
        if department.staff is None or department.busy < department.staff:
            self._claim(department, task, moment)
        else:
            heapq.heappush(department.queue, (task.due, next(self._sequence), task))

    def _claim(self, department: Department, task: SimTask, moment: float) -> None:
        department.account(moment)
        department.waiting -= 1
        department.busy += 1
        task.state, task.claimed = IN_WORK, moment
        if not task.stops_clock:
            department.waits.append(moment - task.opened)
        self._at(moment + task.kind.work.sample(self.rng), DONE, task, None)

    def _free(self, department: Department, moment: float) -> None:
        department.account(moment)
        department.busy -= 1
        while department.queue and (department.staff is None or department.busy < department.staff):
            _due, _order, task = heapq.heappop(department.queue)
            if task.state == QUEUED:
                self._claim(department, task, moment)

    def _close(self, task: SimTask) -> None:
        case = task.case
        case.open.remove(task)
        if task.stops_clock:
            case.stopping -= 1

    def _done(self, task: SimTask, moment: float) -> None:
        if task.state != IN_WORK:
            return
        task.state = FINISHED
        case, department = task.case, self.departments[task.department]
        if task.stops_clock:
            department.applicant.append(moment - task.opened)
        else:
            department.works.append(moment - task.claimed)
            department.tasks += 1
            self.tally.tasks += 1
            if moment > task.due:
                department.red += 1
                self.tally.tasks_red += 1
        outcome = task.kind.outcome(self.rng)
        if outcome in PAUSING_OUTCOMES:
            used = self.clock.day_index(moment) - self.clock.day_index(task.opened)
            case.used_by_task[task.spec] = case.used_by_task.get(task.spec, 0) + max(used, 0)
        self._close(task)
        self._free(department, moment)
        self._step(case, (COMPLETE, task.spec, outcome), moment)

    def _cancel(self, task: SimTask, moment: float) -> None:
        department = self.departments[task.department]
        state, task.state = task.state, CANCELLED
        self._close(task)
        if state == IN_WORK:
            self._free(department, moment)
        else:
            department.account(moment)
            department.waiting -= 1

    # -- clocks -------------------------------------------------------------------------------

    def _due(self, limit: Limit, moment: float, used_days: int) -> float:
        """A limit's due moment in office time, by workdays.clock.deadline's rule: the close of office on
        the working day that lies the days left after the start day (start day not counted); for
        a limit in hours, that many office hours on. Every simulated moment is on a working day,
        so in office time this is arithmetic (tests/test_simulation__engine_in_memory.py checks
        it against workdays.clock.deadline)."""
        if limit.working_hours is not None:
            return moment + max(limit.working_hours, 0.0)
        if limit.working_days is None:
            return NO_DUE
        return (self.clock.day_index(moment) + max(limit.working_days - used_days, 0) + 1) * DAY

    def _task_due(self, kind: TaskKind, moment: float, used_days: int) -> float:
        return self._due(kind.promised, moment, used_days)

    def _case_due(self, moment: float, used_days: int) -> tuple[float, float]:
        promised, statutory = self.case_limits
        return self._due(promised, moment, used_days), self._due(statutory, moment, used_days)

    def _case_clock(self, case: SimCase, moment: float) -> None:
        """Stop the case clock while a task that stops it is open; resume it with the days left."""
        running = case.clock_since is not None
        if case.stopping and running:
            case.clock_used += max(self.clock.day_index(moment) - self.clock.day_index(case.clock_since), 0)
            case.clock_since = None
        elif not case.stopping and not running:
            case.clock_since = moment
            case.due, case.statutory_due = self._case_due(moment, case.clock_used)

    # -- ends ---------------------------------------------------------------------------------

    def _end(self, case: SimCase, moment: float, end_activity: str) -> None:
        for task in list(case.open):
            self._cancel(task, moment)
        case.timers.clear()
        case.messages.clear()
        concluded = case.concluded
        self.tally.cases.append(
            (
                case.started,
                concluded,
                case.concluded_exact,
                concluded > case.due,
                concluded > case.statutory_due,
                end_activity,
                moment,
            )
        )
        if self.progress is not None:
            self.progress.update(1)

    def _fail(self, case: SimCase, why: str, moment: float) -> None:
        for task in list(case.open):
            self._cancel(task, moment)
        case.timers.clear()
        case.messages.clear()
        self.tally.failures[why] = self.tally.failures.get(why, 0) + 1
        if self.progress is not None:
            self.progress.update(1)
