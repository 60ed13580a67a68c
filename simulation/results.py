"""The figures of a simulation run, named and counted as the reports count them (reports.figures):

- cycle time: from acceptance to the result (办结: the step that concludes the case, or its
  end if it ends without a result); the rating window and a commitment's post-check come
  after it. In working days (office hours / 7 h) and calendar hours; median and 90th percentile;
- a case on time: concluded by its promised due time (the case clock, stopped while a task
  that stops it is open); a task on time: completed by its own due time. Tasks that wait for
  the applicant (a correction) are the applicant's time, counted apart;
- per department: the wait (opened -> claimed) and the work (claimed -> completed) in office
  hours, the queue (open tasks not yet claimed, as the department's queue page lists them):
  its mean over the working days of the arrivals and its largest, and the clerks' utilisation.
"""

from __future__ import annotations

import statistics

from .loop import Simulation, Tally
from .office import DAY

# Figures shared with reports.figures (labels and units in reports.registry): the keys the
# side-by-side view reads from both.
COMPARED = (
    "cycle_working_days_median",
    "cycle_working_days_p90",
    "cycle_calendar_hours_median",
    "cycle_calendar_hours_p90",
    "case_on_time_share",
    "task_on_time_share",
)


def median(values):
    return statistics.median(values) if values else None


def percentile(values, q: int):
    """Interpolated between the closest ranks (inclusive), as reports.figures.percentile."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _round(value, digits: int = 3):
    return None if value is None else round(value, digits)


def summarise(simulation: Simulation, tally: Tally, seconds: float) -> dict:
    clock = simulation.clock
    days, hours, ends = [], [], {}
    late = statutory_late = 0
    for started, concluded, exact, red, statutory_red, end, _ended in tally.cases:
        days.append((concluded - started) / DAY)
        finish = exact or clock.to_datetime(concluded)
        hours.append(max((finish - clock.to_datetime(started)).total_seconds(), 0) / 3600)
        ends[end] = ends.get(end, 0) + 1
        late += red
        statutory_late += statutory_red
    concluded = len(tally.cases)
    # Queues and utilisation over the working days applications kept arriving (not the last cases'
    # tail, when queues run dry).
    days_of_arrivals = max(int(tally.last_arrival // DAY), 1)
    departments = {}
    for code, department in simulation.departments.items():
        if not (department.waits or department.applicant or department.peak):
            continue
        by_day = [department.by_day.get(day, (0.0, 0.0)) for day in range(days_of_arrivals)]
        queue_area, busy_area = sum(q for q, _ in by_day), sum(b for _, b in by_day)
        departments[code] = {
            "staff": department.staff,
            "tasks": department.tasks,
            "wait_hours_median": _round(median(department.waits)),
            "wait_hours_p90": _round(percentile(department.waits, 90)),
            "work_hours_median": _round(median(department.works)),
            "applicant_hours_median": _round(median(department.applicant)),
            "queue_mean": _round(queue_area / (days_of_arrivals * DAY)),
            "queue_max": department.peak,
            "utilisation": _round(busy_area / (department.staff * days_of_arrivals * DAY))
            if department.staff
            else None,
            "on_time_share": _round(1 - department.red / department.tasks) if department.tasks else None,
            "queue_by_day": [round(q / DAY, 2) for q, _ in by_day],
        }
    machine = simulation.machine
    return {
        "cases": simulation.count,
        "concluded": concluded,
        "failed": sum(tally.failures.values()),
        "failures": tally.failures,
        "first_day": clock.day(0).isoformat(),
        "arrival_days": round(tally.last_arrival / DAY, 1),
        "cycle_working_days_median": _round(median(days)),
        "cycle_working_days_p90": _round(percentile(days, 90)),
        "cycle_calendar_hours_median": _round(median(hours), 2),
        "cycle_calendar_hours_p90": _round(percentile(hours, 90), 2),
        "case_on_time_share": _round(1 - late / concluded) if concluded else None,
        "cases_late": late,
        "cases_past_statutory": statutory_late,
        "task_on_time_share": _round(1 - tally.tasks_red / tally.tasks) if tally.tasks else None,
        "tasks": tally.tasks,
        "tasks_late": tally.tasks_red,
        "ends": dict(sorted(ends.items())),
        "departments": departments,
        "notes": sorted(simulation.notes),
        "engine": {"states": machine.nodes, "engine_steps": machine.engine_steps, "replays": machine.replays},
        "seconds": round(seconds, 2),
        "cases_per_second": round(simulation.count / seconds, 1) if seconds else None,
    }


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "share":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def table(prediction: dict, label: str) -> list[str]:
    """The prediction as the command prints it."""
    p = prediction
    out = [
        f"{label}: {p['cases']} cases simulated in {p['seconds']:.1f} s ({p['cases_per_second']} cases/s), "
        f"arrivals over {p['arrival_days']} working days from {p['first_day']}",
        f"  concluded {p['concluded']}, failed {p['failed']}; ends: "
        + ", ".join(f"{k} {v}" for k, v in p["ends"].items()),
        f"  cycle time (acceptance -> result): median {_fmt(p['cycle_working_days_median'])} working days "
        f"({_fmt(p['cycle_calendar_hours_median'])} h), p90 {_fmt(p['cycle_working_days_p90'])} working days "
        f"({_fmt(p['cycle_calendar_hours_p90'])} h)",
        f"  on time: cases {_fmt(p['case_on_time_share'], 'share')} ({p['cases_late']} late, {p['cases_past_statutory']} past the "
        f"statutory limit), tasks {_fmt(p['task_on_time_share'], 'share')} ({p['tasks_late']} of {p['tasks']} late)",
        "",
        f"  {'department':<14}{'staff':>6}{'tasks':>8}{'wait h':>9}{'p90 h':>8}{'work h':>8}{'queue':>8}{'max':>6}{'busy':>7}{'on time':>9}",
    ]
    for code, d in p["departments"].items():
        staff = "-" if d["staff"] is None else str(d["staff"])
        out.append(
            f"  {code:<14}{staff:>6}{d['tasks']:>8}{_fmt(d['wait_hours_median']):>9}{_fmt(d['wait_hours_p90']):>8}"
            f"{_fmt(d['work_hours_median']):>8}{_fmt(d['queue_mean']):>8}{d['queue_max']:>6}"
            f"{_fmt(d['utilisation'], 'share'):>7}{_fmt(d['on_time_share'], 'share'):>9}"
        )
    out.append(
        "  (staff '-': as many clerks as there is work; wait and work in office hours, median; queue: open tasks "
        "not yet claimed, mean and largest)"
    )
    for note in p["notes"]:
        out.append(f"  note: {note}")
    for why, count in p["failures"].items():
        out.append(f"  FAILED {count} cases: {why}")
    return out
