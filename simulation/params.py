"""What a simulation assumes: durations, outcome shares, messages, arrivals and staffing.

Learned from the event log of earlier versions (simulation.learn), given by hand in a TOML or
JSON file (``simulate --params FILE``), or both: the file's figures win over learned ones.
Every duration is in office hours (see simulation.office). The file's layout::

    arrivals_per_day = 14            # applications per working day (Poisson)
    [case]
    notify_commit = 0.2              # share of applicants choosing notify-and-commit
    [staff]
    market = 3                       # clerks; a department not listed has as many as it needs
    [tasks.market_review]
    wait = { lognormal = { median = 2.0, spread = 0.5 } }   # opened -> a clerk takes it up
    work = 1.5                                               # claimed -> completed
    outcomes = { approve = 0.9, correction = 0.08, reject = 0.02 }
    [departments.police]             # for the department's tasks without figures of their own
    work = { exponential = { mean = 1.0 } }
    [default]                        # for tasks of departments without figures
    wait = 1.0
    work = 1.0
    [messages.service_rated]
    delay = { uniform = { low = 1, high = 5 } }   # after the case began to wait for it
    probability = 0.85                            # the others never come (a timer may close the wait)

A duration is a number (always that long), or one of ``lognormal`` (median, spread: the
standard deviation of the logarithm), ``exponential`` (mean), ``uniform`` (low, high) or
``samples`` (a list, drawn from with replacement: what learning produces).
"""

from __future__ import annotations

import json
import math
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

# The three figures of a task, as the notes name them.
FIGURE_NAMES = {
    "wait": pgettext_lazy("simulation", "wait"),
    "work": pgettext_lazy("simulation", "work"),
    "outcomes": pgettext_lazy("simulation", "outcome shares"),
}


class ParamsError(ValueError):
    pass


class Distribution:
    """A non-negative duration in office hours."""

    __slots__ = ("kind", "args", "sample")

    def __init__(self, kind: str, **args):
        self.kind, self.args = kind, args
        # One bound method per kind: the hot loop calls ``sample(rng)`` hundreds of thousands of times.
        self.sample = getattr(self, f"_{kind}")

    def _fixed(self, rng: random.Random) -> float:
        return self.args["hours"]

    def _lognormal(self, rng: random.Random) -> float:
        return rng.lognormvariate(self.args["mu"], self.args["spread"])

    def _exponential(self, rng: random.Random) -> float:
        return rng.expovariate(1 / self.args["mean"]) if self.args["mean"] > 0 else 0.0

    def _uniform(self, rng: random.Random) -> float:
        return rng.uniform(self.args["low"], self.args["high"])

    def _samples(self, rng: random.Random) -> float:
        values = self.args["values"]
        return values[int(rng.random() * len(values))]

    @property
    def median(self) -> float:
        if self.kind == "fixed":
            return self.args["hours"]
        if self.kind == "lognormal":
            return math.exp(self.args["mu"])
        if self.kind == "exponential":
            return self.args["mean"] * math.log(2)
        if self.kind == "uniform":
            return (self.args["low"] + self.args["high"]) / 2
        values = sorted(self.args["values"])
        return values[len(values) // 2]

    def to_json(self):
        if self.kind == "fixed":
            return self.args["hours"]
        if self.kind == "lognormal":
            return {"lognormal": {"median": round(math.exp(self.args["mu"]), 4), "spread": self.args["spread"]}}
        if self.kind == "samples":
            return {"samples": [round(v, 3) for v in self.args["values"]]}
        return {self.kind: dict(self.args)}

    def describe(self) -> str:
        """In the active language: "12 observed, median 1.50 h"."""
        median = f"{self.median:.2f}"
        if self.kind == "samples":
            count = len(self.args["values"])
            return ngettext(
                "%(count)s observed, median %(median)s h", "%(count)s observed, median %(median)s h", count
            ) % {
                "count": count,
                "median": median,
            }
        if self.kind == "fixed":
            return _("always %(hours)s h") % {"hours": median}
        # Translators: kind is the distribution's name in the parameters file (lognormal, exponential, uniform).
        return _("%(kind)s, median %(median)s h") % {"kind": self.kind, "median": median}


def distribution(value, where: str = "duration") -> Distribution:
    """A Distribution from its file form (see the module's docstring)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int | float):
            return Distribution("fixed", hours=_non_negative(value))
        ((kind, args),) = value.items()
        if kind == "lognormal":
            return Distribution(
                "lognormal", mu=math.log(_positive(args["median"])), spread=_non_negative(args.get("spread", 0.5))
            )
        if kind == "exponential":
            return Distribution("exponential", mean=_non_negative(args["mean"]))
        if kind == "uniform":
            low, high = _non_negative(args["low"]), _non_negative(args["high"])
            if high < low:
                raise ValueError
            return Distribution("uniform", low=low, high=high)
        if kind == "samples":
            values = [_non_negative(v) for v in args]
            if not values:
                raise ValueError
            return Distribution("samples", values=values)
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    raise ParamsError(
        _(
            "%(where)s: %(value)s is not a duration: give hours (a number), or {lognormal = {median = H, spread = S}}, "
            "{exponential = {mean = H}}, {uniform = {low = A, high = B}}, {samples = [...]}"
        )
        % {"where": where, "value": repr(value)}
    )


def _non_negative(value) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError
    return number


def _positive(value) -> float:
    number = _non_negative(value)
    if number == 0:
        raise ValueError
    return number


@dataclass
class TaskParams:
    """One task's (or a department's) figures; None where nothing is known."""

    # opened -> claimed: until a clerk (for a correction: the applicant) takes it up
    wait: Distribution | None = None
    work: Distribution | None = None  # claimed -> completed: the clerk's work
    outcomes: dict[str, float] = field(default_factory=dict)  # outcome -> share

    def to_json(self) -> dict:
        out = {}
        if self.wait is not None:
            out["wait"] = self.wait.to_json()
        if self.work is not None:
            out["work"] = self.work.to_json()
        if self.outcomes:
            out["outcomes"] = {k: round(v, 4) for k, v in self.outcomes.items()}
        return out

    def overlaid(self, other: TaskParams) -> TaskParams:
        return TaskParams(other.wait or self.wait, other.work or self.work, other.outcomes or self.outcomes)


@dataclass
class MessageParams:
    delay: Distribution
    probability: float = 1.0

    def to_json(self) -> dict:
        return {"delay": self.delay.to_json(), "probability": round(self.probability, 4)}


FALLBACK = TaskParams(wait=Distribution("fixed", hours=0.0), work=Distribution("fixed", hours=1.0))
FALLBACK_MESSAGE = MessageParams(Distribution("fixed", hours=0.0))


@dataclass
class Params:
    arrivals_per_day: float | None = None
    staff: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, TaskParams] = field(default_factory=dict)
    departments: dict[str, TaskParams] = field(default_factory=dict)
    default: TaskParams = field(default_factory=TaskParams)
    messages: dict[str, MessageParams] = field(default_factory=dict)
    case: dict[str, float] = field(default_factory=dict)  # share of cases with a boolean attribute set
    # Where the figures came from: a file's path, or a learned log ({"event_log": [labels], "cases": n}).
    sources: list[str | dict] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)  # what the sources say beside the figures (for --staff)

    def for_task(self, task_id: str, department: str) -> tuple[TaskParams, list[str]]:
        """The task's figures, each taken from the task, else its department, else the default;
        with a note for each figure that had to come from further away."""
        chain = [
            ("task", self.tasks.get(task_id)),
            ("department", self.departments.get(department)),
            ("default", self.default),
        ]
        found, notes = {}, []
        for name in ("wait", "work", "outcomes"):
            for level, params in chain:
                value = getattr(params, name) if params is not None else None
                if value:
                    found[name] = value
                    if level != "task":
                        notes.append(_note_from(level) % {"task": task_id, "figure": FIGURE_NAMES[name]})
                    break
        resolved = TaskParams(
            found.get("wait", FALLBACK.wait), found.get("work", FALLBACK.work), found.get("outcomes", {})
        )
        for name in ("wait", "work"):
            if name not in found:
                notes.append(
                    _("%(task)s: no %(figure)s figures anywhere; assumed %(assumed)s")
                    % {"task": task_id, "figure": FIGURE_NAMES[name], "assumed": getattr(FALLBACK, name).describe()}
                )
        return resolved, notes

    def overlaid(self, other: Params) -> Params:
        """These figures with ``other``'s wherever it gives them."""
        merged = Params(
            arrivals_per_day=other.arrivals_per_day if other.arrivals_per_day is not None else self.arrivals_per_day,
            staff={**self.staff, **other.staff},
            tasks=dict(self.tasks),
            departments=dict(self.departments),
            default=self.default.overlaid(other.default),
            messages={**self.messages, **other.messages},
            case={**self.case, **other.case},
            sources=self.sources + other.sources,
            hints=self.hints + other.hints,
        )
        for mine, theirs in ((merged.tasks, other.tasks), (merged.departments, other.departments)):
            for key, params in theirs.items():
                mine[key] = mine[key].overlaid(params) if key in mine else params
        return merged

    def to_json(self) -> dict:
        return {
            "arrivals_per_day": self.arrivals_per_day,
            "staff": self.staff,
            "case": self.case,
            "tasks": {k: v.to_json() for k, v in sorted(self.tasks.items())},
            "departments": {k: v.to_json() for k, v in sorted(self.departments.items())},
            "default": self.default.to_json(),
            "messages": {k: v.to_json() for k, v in sorted(self.messages.items())},
            "sources": self.sources,
            "hints": self.hints,
        }


def _note_from(level: str) -> str:
    if level == "department":
        return _("%(task)s: %(figure)s from its department's figures")
    return _("%(task)s: %(figure)s from the default figures")


def describe_source(source: str | dict) -> str:
    """A source of figures in the active language: a learned log in words, a file's path as it is."""
    if isinstance(source, dict) and "event_log" in source:
        cases = source.get("cases") or 0
        versions = pgettext("list separator", ", ").join(source["event_log"])
        return ngettext(
            "the event log of %(versions)s (%(cases)s case)", "the event log of %(versions)s (%(cases)s cases)", cases
        ) % {"versions": versions, "cases": cases}
    return str(source)


def describe_sources(sources: list) -> str:
    return pgettext("list separator", "; ").join(describe_source(source) for source in sources)


def params_from_dict(data: dict, source: str = "") -> Params:
    """Params from the file layout (TOML or JSON); to_json() gives it back."""
    if not isinstance(data, dict):
        raise ParamsError(_("%(source)s: the parameters must be a table") % {"source": source})
    known = {"arrivals_per_day", "staff", "case", "tasks", "departments", "default", "messages", "sources", "hints"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ParamsError(
            _("%(source)s: unknown section(s) %(unknown)s; known: %(known)s")
            % {"source": source, "unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
        )
    params = Params(
        sources=list(data.get("sources") or ([source] if source else [])), hints=list(data.get("hints") or [])
    )
    if data.get("arrivals_per_day") is not None:
        params.arrivals_per_day = _rate(data["arrivals_per_day"], "arrivals_per_day")
    for department, count in (data.get("staff") or {}).items():
        params.staff[department] = _staff(count, f"staff.{department}")
    for name, share in (data.get("case") or {}).items():
        params.case[name] = _share(share, f"case.{name}")
    for section, target in (("tasks", params.tasks), ("departments", params.departments)):
        for key, value in (data.get(section) or {}).items():
            target[key] = _task_params(value, f"{section}.{key}")
    if data.get("default"):
        params.default = _task_params(data["default"], "default")
    for name, value in (data.get("messages") or {}).items():
        if not isinstance(value, dict) or "delay" not in value:
            raise ParamsError(_("%(where)s: give delay (and probability)") % {"where": f"messages.{name}"})
        params.messages[name] = MessageParams(
            distribution(value["delay"], f"messages.{name}.delay"),
            _share(value.get("probability", 1.0), f"messages.{name}.probability"),
        )
    return params


def _task_params(value, where: str) -> TaskParams:
    if not isinstance(value, dict) or set(value) - {"wait", "work", "outcomes"}:
        raise ParamsError(_("%(where)s: give wait, work and/or outcomes") % {"where": where})
    outcomes = value.get("outcomes") or {}
    if not isinstance(outcomes, dict):
        raise ParamsError(_("%(where)s: a table of outcome = share") % {"where": f"{where}.outcomes"})
    shares = {name: _share(share, f"{where}.outcomes.{name}") for name, share in outcomes.items()}
    total = sum(shares.values())
    if shares and total <= 0:
        raise ParamsError(_("%(where)s: the shares add up to 0") % {"where": f"{where}.outcomes"})
    return TaskParams(
        wait=distribution(value["wait"], f"{where}.wait") if "wait" in value else None,
        work=distribution(value["work"], f"{where}.work") if "work" in value else None,
        outcomes={name: share / total for name, share in shares.items()},
    )


def _share(value, where: str) -> float:
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = -1.0
    if isinstance(value, bool) or not 0 <= share <= 1:
        raise ParamsError(
            _("%(where)s: a share between 0 and 1, not %(value)s") % {"where": where, "value": repr(value)}
        )
    return share


def _rate(value, where: str) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = -1.0
    if isinstance(value, bool) or not (rate > 0 and math.isfinite(rate)):
        raise ParamsError(_("%(where)s: a positive number, not %(value)s") % {"where": where, "value": repr(value)})
    return rate


def _staff(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParamsError(
            _("%(where)s: a whole number of clerks, at least 1, not %(value)s") % {"where": where, "value": repr(value)}
        )
    return value


def load_params(path: str | Path) -> Params:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ParamsError(f"{path}: {error.strerror or error}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ParamsError(f"{path}: {error}") from None
    return params_from_dict(data, str(path))


def parse_staff(items: list[str]) -> dict[str, int]:
    """``--staff DEPT=K`` options."""
    staff = {}
    for item in items:
        department, _, count = item.partition("=")
        try:
            staff[department.strip()] = _staff(int(count), f"--staff {item}")
        except ValueError:
            raise ParamsError(_staff_usage(item)) from None
        if not department.strip():
            raise ParamsError(_staff_usage(item))
    return staff


def _staff_usage(item: str) -> str:
    return _("--staff %(item)s: give DEPARTMENT=CLERKS, e.g. market=3") % {"item": item}
