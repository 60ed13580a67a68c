"""One version against another, worded as reform reports word it: "审批提速 64.2%".

The speed-up is the reduction of the median cycle time in working days, the figure such reports
quote. Trips (跑动), materials (材料), corrections (补正) and hand-offs are reductions per case;
shares (fully online, on time) change by percentage points.
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import FIGURES

# (figure, 中文 when it went down, English) for the figures where lower is better.
REDUCTIONS = [
    ("cycle_working_days_median", "审批提速", "faster approval"),
    ("trips_per_case", "跑动次数减少", "fewer trips"),
    ("materials_per_case", "申请材料减少", "fewer materials"),
    ("corrections_per_case", "补正减少", "fewer corrections"),
    ("handoffs_per_case", "部门流转减少", "fewer hand-offs"),
]
POINTS = [
    ("case_on_time_share", "按时办结率", "cases on time"),
    ("at_most_one_trip_share", "最多跑一次占比", "at most one trip"),
    ("fully_online_share", "全程网办占比", "fully online"),
]


def reduction(before: float | None, after: float | None) -> float | None:
    """How much smaller ``after`` is than ``before``, as a share of ``before`` (negative: larger)."""
    if before is None or after is None or before == 0:
        return None
    return 1 - after / before


@dataclass(frozen=True)
class Change:
    key: str
    zh: str
    en: str
    before: float | None
    after: float | None
    value: float | None  # a reduction share, or a difference in shares
    points: bool = False

    @property
    def improved(self) -> bool | None:
        if self.value is None:
            return None
        return self.value > 0

    def words(self) -> tuple[str, str]:
        """("审批提速 64.2%", "faster approval 64.2%"); a change for the worse says so."""
        if self.value is None:
            return f"{self.zh} –", f"{self.en} –"
        if self.points:
            sign = "+" if self.value >= 0 else "−"
            return (
                f"{self.zh} {sign}{abs(self.value) * 100:.1f} 个百分点",
                f"{self.en} {sign}{abs(self.value) * 100:.1f} points",
            )
        if self.value >= 0:
            return f"{self.zh} {self.value * 100:.1f}%", f"{self.en} {self.value * 100:.1f}%"
        label = FIGURES[self.key]
        return f"{label.zh}增加 {-self.value * 100:.1f}%", f"{label.en.lower()} up {-self.value * 100:.1f}%"


class Comparison:
    """Version ``after`` against version ``before`` (figures as reports.figures computes them)."""

    def __init__(self, before: dict, after: dict, *, before_label: str = "", after_label: str = ""):
        self.before, self.after = before, after
        self.before_label, self.after_label = before_label, after_label
        self.changes = [
            Change(key, zh, en, before.get(key), after.get(key), reduction(before.get(key), after.get(key)))
            for key, zh, en in REDUCTIONS
        ]
        self.changes += [
            Change(
                key, zh, en, before.get(key), after.get(key), _difference(before.get(key), after.get(key)), points=True
            )
            for key, zh, en in POINTS
        ]

    @property
    def speedup(self) -> float | None:
        """审批提速: the reduction of the median cycle time in working days."""
        return self.changes[0].value

    def headline(self) -> str:
        """The sentence of a reform report: "审批提速 64.2%，跑动次数减少 50.0%，申请材料减少 12.5%"."""
        return "，".join(change.words()[0] for change in self.changes[:3])

    def headline_en(self) -> str:
        return ", ".join(change.words()[1] for change in self.changes[:3])


def _difference(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return after - before
