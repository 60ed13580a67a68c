"""One version against another, worded as reform reports word it: "审批提速 64.2%".

The speed-up is the reduction of the median cycle time in working days, the figure such reports
quote. Trips (跑动), materials (材料), corrections (补正) and hand-offs are reductions per case;
shares (fully online, on time) change by percentage points. The words are in the reader's
language ("faster approval 64.2%" in English).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The figures where lower is better: (figure, the words when it went down, the words when it went up).
REDUCTIONS = [
    (
        "cycle_working_days_median",
        gettext_lazy("faster approval %(percent)s"),
        gettext_lazy("median cycle time up %(percent)s"),
    ),
    ("trips_per_case", gettext_lazy("fewer trips %(percent)s"), gettext_lazy("in-person trips up %(percent)s")),
    (
        "materials_per_case",
        gettext_lazy("fewer materials %(percent)s"),
        gettext_lazy("materials handed in up %(percent)s"),
    ),
    ("corrections_per_case", gettext_lazy("fewer corrections %(percent)s"), gettext_lazy("corrections up %(percent)s")),
    ("handoffs_per_case", gettext_lazy("fewer hand-offs %(percent)s"), gettext_lazy("hand-offs up %(percent)s")),
]
# Shares, which change by percentage points: (figure, its name in the comparison).
POINTS = [
    ("case_on_time_share", gettext_lazy("cases on time")),
    ("at_most_one_trip_share", gettext_lazy("at most one trip")),
    ("fully_online_share", gettext_lazy("fully online")),
]
WORDS = {key: (better, worse) for key, better, worse in REDUCTIONS} | {key: (name, None) for key, name in POINTS}


def reduction(before: float | None, after: float | None) -> float | None:
    """How much smaller ``after`` is than ``before``, as a share of ``before`` (negative: larger)."""
    if before is None or after is None or before == 0:
        return None
    return 1 - after / before


@dataclass(frozen=True)
class Change:
    key: str
    before: float | None
    after: float | None
    value: float | None  # a reduction share, or a difference in shares
    points: bool = False

    @property
    def improved(self) -> bool | None:
        if self.value is None:
            return None
        return self.value > 0

    def words(self) -> str:
        """ "审批提速 64.2%" ("faster approval 64.2%"); a change for the worse says so."""
        better, worse = WORDS[self.key]
        if self.points:
            if self.value is None:
                return f"{better} –"
            sign = "+" if self.value >= 0 else "−"
            # Translators: a share's change, e.g. "cases on time +30.0 points".
            return _("%(figure)s %(points)s points") % {
                "figure": better,
                "points": f"{sign}{abs(self.value) * 100:.1f}",
            }
        if self.value is None:
            return better % {"percent": "–"}
        if self.value >= 0:
            return better % {"percent": f"{self.value * 100:.1f}%"}
        return worse % {"percent": f"{-self.value * 100:.1f}%"}


class Comparison:
    """Version ``after`` against version ``before`` (figures as reports.figures computes them)."""

    def __init__(self, before: dict, after: dict, *, before_label: str = "", after_label: str = ""):
        self.before, self.after = before, after
        self.before_label, self.after_label = before_label, after_label
        self.changes = [
            Change(key, before.get(key), after.get(key), reduction(before.get(key), after.get(key)))
            for key, _better, _worse in REDUCTIONS
        ]
        self.changes += [
            Change(key, before.get(key), after.get(key), _difference(before.get(key), after.get(key)), points=True)
            for key, _name in POINTS
        ]

    @property
    def speedup(self) -> float | None:
        """审批提速: the reduction of the median cycle time in working days."""
        return self.changes[0].value

    def headline(self) -> str:
        """The sentence of a reform report: "审批提速 64.2%，跑动次数减少 50.0%，申请材料减少 12.5%"."""
        first, second, third = (change.words() for change in self.changes[:3])
        return _("%(first)s, %(second)s, %(third)s") % {"first": first, "second": second, "third": third}


def _difference(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return after - before
