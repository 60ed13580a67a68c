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
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

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


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text, columns: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``columns`` terminal columns, left (``<``) or right (``>``) aligned."""
    text = str(text)
    room = " " * max(columns - width(text), 0)
    return text + room if align == "<" else room + text


# The department table's columns: (heading, width); the first is left-aligned.
COLUMNS = [
    (pgettext_lazy("simulation table", "department"), 14),
    (pgettext_lazy("simulation table", "staff"), 6),
    (pgettext_lazy("simulation table", "tasks"), 8),
    (pgettext_lazy("simulation table", "wait h"), 9),
    (pgettext_lazy("simulation table", "p90 h"), 8),
    (pgettext_lazy("simulation table", "work h"), 8),
    (pgettext_lazy("simulation table", "queue"), 8),
    (pgettext_lazy("simulation table", "max"), 6),
    (pgettext_lazy("simulation table", "busy"), 7),
    (pgettext_lazy("simulation table", "on time"), 9),
]


def _row(cells: list) -> str:
    return "  " + "".join(
        pad(cell, columns, "<" if i == 0 else ">")
        for i, (cell, (_heading, columns)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def table(prediction: dict, label: str) -> list[str]:
    """The prediction as the command prints it, in the active language."""
    p = prediction
    out = [
        _(
            "%(label)s: %(cases)s cases simulated in %(seconds)s s (%(rate)s cases/s), arrivals over %(days)s "
            "working days from %(first)s"
        )
        % {
            "label": label,
            "cases": p["cases"],
            "seconds": f"{p['seconds']:.1f}",
            "rate": p["cases_per_second"],
            "days": p["arrival_days"],
            "first": p["first_day"],
        },
        "  "
        + _("concluded %(concluded)s, failed %(failed)s; ends: %(ends)s")
        % {
            "concluded": p["concluded"],
            "failed": p["failed"],
            "ends": pgettext("list separator", ", ").join(f"{k} {v}" for k, v in p["ends"].items()),
        },
        "  "
        + _(
            "cycle time (acceptance -> result): median %(median)s working days (%(median_hours)s h), "
            "p90 %(p90)s working days (%(p90_hours)s h)"
        )
        % {
            "median": _fmt(p["cycle_working_days_median"]),
            "median_hours": _fmt(p["cycle_calendar_hours_median"]),
            "p90": _fmt(p["cycle_working_days_p90"]),
            "p90_hours": _fmt(p["cycle_calendar_hours_p90"]),
        },
        "  "
        + _(
            "on time: cases %(cases)s (%(late)s late, %(past)s past the statutory limit), "
            "tasks %(tasks)s (%(tasks_late)s of %(task_count)s late)"
        )
        % {
            "cases": _fmt(p["case_on_time_share"], "share"),
            "late": p["cases_late"],
            "past": p["cases_past_statutory"],
            "tasks": _fmt(p["task_on_time_share"], "share"),
            "tasks_late": p["tasks_late"],
            "task_count": p["tasks"],
        },
        "",
        _row([heading for heading, _columns in COLUMNS]),
    ]
    for code, d in p["departments"].items():
        staff = "-" if d["staff"] is None else str(d["staff"])
        out.append(
            _row(
                [
                    code,
                    staff,
                    d["tasks"],
                    _fmt(d["wait_hours_median"]),
                    _fmt(d["wait_hours_p90"]),
                    _fmt(d["work_hours_median"]),
                    _fmt(d["queue_mean"]),
                    d["queue_max"],
                    _fmt(d["utilisation"], "share"),
                    _fmt(d["on_time_share"], "share"),
                ]
            )
        )
    out.append(
        "  "
        + _(
            "(staff '-': as many clerks as there is work; wait and work in office hours, median; queue: open tasks "
            "not yet claimed, mean and largest)"
        )
    )
    for note in p["notes"]:
        out.append("  " + _("note: %(note)s") % {"note": note})
    for why, count in p["failures"].items():
        out.append(
            "  "
            + ngettext("FAILED %(count)s case: %(why)s", "FAILED %(count)s cases: %(why)s", count)
            % {"count": count, "why": why}
        )
    return out
