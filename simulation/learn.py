"""Simulation figures learned from the event log of versions that have run.

From the log rows (``Event``) of the source versions' cases:

- per task id: the wait (task_opened -> task_claimed) and the work (task_claimed ->
  task_completed) in office hours, kept as the observed values (drawn from with replacement),
  and the share of each outcome among its completions. A task that stops the case clock (a
  correction) waits for the applicant: its wait is the applicant's turnaround;
- per department: the same, pooled over its tasks, for tasks of the target version that the
  sources do not have (tasks that wait for the applicant pool under ``applicant``); a target
  task with a new id but the name and department of a source task takes that task's figures;
- per message: its delay after the case began to wait for it, and the share of waits it
  arrived in (the others ended another way: the rating window's timer fired first). When a
  case began to wait is not in the log; each logged case is replayed through the process, in
  memory (engine.in_memory), to find the step that began the wait;
- the arrival rate (cases started per working day over the logged span), and the share of
  cases with each boolean attribute (notify-and-commit).

Staffing is not learned: one login may stand for several clerks, and clerks do other work.
The log's largest number of a department's tasks in hand at once is reported, as a hint for
``--staff``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from engine.clocks import stops_case_clock
from engine.in_memory import COMPLETE, MESSAGE, TIMER, ProcessFailed, ProcessMachine
from engine.models import Case, Event
from workdays.calendar import WorkCalendar

from .loop import BASE_CASE_DATA
from .office import DAY
from .params import Distribution, MessageParams, Params, TaskParams

APPLICANT = "applicant"
K = Event.Kind
LOGGED = (K.TASK_OPENED, K.TASK_CLAIMED, K.TASK_COMPLETED, K.MESSAGE_RECEIVED, K.TIMER_FIRED)


class Observations:
    def __init__(self):
        self.wait: dict[str, list[float]] = defaultdict(list)
        self.work: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.delays: dict[str, list[float]] = defaultdict(list)
        self.waits_ended: Counter = Counter()  # message -> waits that ended without it
        self.in_hand: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
        self.replay_failures: Counter = Counter()


def learn(sources, *, calendar: WorkCalendar, target=None) -> Params:
    """Params from the logs of ``sources`` (ProcessVersions), for simulating ``target``."""
    sources = list(sources)
    seen = Observations()
    cases = Case.objects.filter(version__in=sources)
    for version in sources:
        _learn_version(version, cases.filter(version=version), calendar, seen)
    params = Params(sources=[{"event_log": [v.label for v in sources], "cases": cases.count()}])
    params.arrivals_per_day = _arrival_rate(
        list(cases.order_by("started_at").values_list("started_at", flat=True)), calendar
    )
    total = cases.count()
    if total:
        params.case["notify_commit"] = cases.filter(notify_commit=True).count() / total
    meta = {spec: (m, v) for v in sources for spec, m in v.elements.get("user_tasks", {}).items()}
    pools: dict[str, Observations] = defaultdict(Observations)
    for spec in set(seen.wait) | set(seen.work) | set(seen.outcomes):
        task_meta = meta.get(spec, ({}, None))[0]
        params.tasks[spec] = _task_params(seen.wait.get(spec), seen.work.get(spec), seen.outcomes.get(spec))
        pool = pools[APPLICANT if stops_case_clock(task_meta) else task_meta.get("department", "")]
        pool.wait["all"] += seen.wait.get(spec, [])
        pool.work["all"] += seen.work.get(spec, [])
        pool.outcomes["all"].update(seen.outcomes.get(spec, Counter()))
    for department, pool in pools.items():
        params.departments[department] = _task_params(
            pool.wait.get("all"), pool.work.get("all"), pool.outcomes.get("all")
        )
    for name, delays in seen.delays.items():
        arrived = len(delays)
        params.messages[name] = MessageParams(
            Distribution("samples", values=delays), arrived / (arrived + seen.waits_ended[name])
        )
    if target is not None:
        _alias_renamed_tasks(params, target, meta)
    peaks = {code: _peak(changes) for code, changes in seen.in_hand.items()}
    if peaks:
        peaks_text = pgettext("list separator", ", ").join(f"{k} {v}" for k, v in sorted(peaks.items()))
        params.hints.append(_("largest number of tasks in hand at once in the log: %(peaks)s") % {"peaks": peaks_text})
    for why, count in seen.replay_failures.items():
        params.hints.append(
            ngettext(
                "%(count)s logged case could not be replayed for message waits: %(why)s",
                "%(count)s logged cases could not be replayed for message waits: %(why)s",
                count,
            )
            % {"count": count, "why": why}
        )
    return params


def _task_params(wait, work, outcomes) -> TaskParams:
    total = sum(outcomes.values()) if outcomes else 0
    return TaskParams(
        wait=Distribution("samples", values=list(wait)) if wait else None,
        work=Distribution("samples", values=list(work)) if work else None,
        outcomes={name: count / total for name, count in outcomes.items() if name} if total else {},
    )


def _learn_version(version, cases, calendar: WorkCalendar, seen: Observations) -> None:
    hours = calendar.working_hours_between
    rows = (
        Event.objects.filter(version=version, case__in=cases, kind__in=LOGGED)
        .order_by("case_id", "id")
        .values_list("case_id", "kind", "at", "activity", "department", "work_item", "outcome", "data")
    )
    items: dict[int, dict] = {}
    by_case: dict[int, list] = defaultdict(list)
    user_tasks = version.elements.get("user_tasks", {})
    for case_id, kind, at, activity, department, work_item, outcome, data in rows.iterator(chunk_size=2000):
        if kind in (K.TASK_OPENED, K.TASK_CLAIMED, K.TASK_COMPLETED) and work_item is not None:
            item = items.setdefault(work_item, {"spec": activity, "department": department})
            item[kind] = at
            if kind == K.TASK_COMPLETED:
                item["outcome"] = outcome
        if kind in (K.TASK_COMPLETED, K.MESSAGE_RECEIVED, K.TIMER_FIRED):
            by_case[case_id].append((kind, at, activity, outcome, data))
    for item in items.values():
        opened, claimed, completed = item.get(K.TASK_OPENED), item.get(K.TASK_CLAIMED), item.get(K.TASK_COMPLETED)
        if opened is None or completed is None:
            continue
        spec = item["spec"]
        if claimed is not None:
            seen.wait[spec].append(max(hours(opened, claimed), 0.0))
            seen.work[spec].append(max(hours(claimed, completed), 0.0))
            if not stops_case_clock(user_tasks.get(spec, {})):
                seen.in_hand[item["department"]] += [(claimed, 1), (completed, -1)]
        else:  # completed without a claim: all of it counts as the wait
            seen.wait[spec].append(max(hours(opened, completed), 0.0))
            seen.work[spec].append(0.0)
        seen.outcomes[spec][item.get("outcome") or ""] += 1
    _replay_messages(version, by_case, calendar, seen)


def _replay_messages(version, by_case: dict, calendar: WorkCalendar, seen: Observations) -> None:
    """Replay each case's logged steps to find when it began to wait for each message."""
    if not version.elements.get("messages"):
        return
    machine = ProcessMachine(version)
    commit = dict(Case.objects.filter(pk__in=list(by_case)).values_list("pk", "notify_commit"))
    started = dict(Event.objects.filter(case_id__in=list(by_case), kind=K.CASE_STARTED).values_list("case_id", "at"))
    for case_id, steps in by_case.items():
        if case_id not in started:
            continue
        try:
            edge = machine.start({**BASE_CASE_DATA, "notify_commit": bool(commit.get(case_id))})
            waiting = _follow({}, edge, started[case_id], seen)
            for kind, at, activity, outcome, data in steps:
                if kind == K.TASK_COMPLETED:
                    action = (COMPLETE, activity, outcome)
                elif kind == K.MESSAGE_RECEIVED:
                    name = (data or {}).get("message") or activity
                    if name in waiting:
                        seen.delays[name].append(max(calendar.working_hours_between(waiting.pop(name), at), 0.0))
                    action = (MESSAGE, name)
                else:
                    action = (TIMER, activity)
                edge = machine.step(edge.node, action)
                waiting = _follow(waiting, edge, at, seen)
        except ProcessFailed as error:
            seen.replay_failures[str(error)] += 1


def _follow(waiting: dict, edge, at: dt.datetime, seen: Observations) -> dict:
    for name in edge.messages_stopped:
        if waiting.pop(name, None) is not None:
            seen.waits_ended[name] += 1  # the wait ended without the message (it was not delivered here)
    for name in edge.messages:
        waiting[name] = at
    return waiting


def _arrival_rate(starts: list[dt.datetime], calendar: WorkCalendar) -> float | None:
    if len(starts) < 2:
        return None
    span = calendar.working_hours_between(starts[0], starts[-1]) / DAY
    return (len(starts) - 1) / span if span > 0 else None


def _peak(changes: list[tuple[dt.datetime, int]]) -> int:
    peak = current = 0
    for _moment, change in sorted(changes, key=lambda c: (c[0], c[1])):
        current += change
        peak = max(peak, current)
    return peak


def _alias_renamed_tasks(params: Params, target, meta: dict) -> None:
    """A target task with a new id takes the figures of a source task of the same name and department."""
    by_name = {}
    for spec, (task_meta, _version) in meta.items():
        if spec in params.tasks:
            by_name.setdefault((task_meta.get("name"), task_meta.get("department")), spec)
    for spec, task_meta in target.elements.get("user_tasks", {}).items():
        if spec in params.tasks:
            continue
        source = by_name.get((task_meta.get("name"), task_meta.get("department")))
        if source is not None:
            params.tasks[spec] = params.tasks[source]
            params.hints.append(
                _("%(task)s: the figures of %(source)s (same name and department)") % {"task": spec, "source": source}
            )
