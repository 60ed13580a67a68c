"""The figures a report computes, by key: what each means, its unit and which way is better.

The KPI tree's indicators name a figure by its key (reports.models.Indicator.figure), so a new
indicator is a row, not code. reports.figures computes every key listed here, for any set of cases.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    zh: str
    en: str
    unit: str  # "working_days", "hours", "share", "count", "per_case"
    lower_is_better: bool

    @property
    def label(self) -> str:
        return f"{self.zh} {self.en}"

    def format(self, value) -> str:
        if value is None:
            return "–"
        if self.unit == "share":
            return f"{value * 100:.1f}%"
        if self.unit == "count":
            return f"{value:.0f}"
        return f"{value:.2f}"


UNIT_LABELS = {
    "working_days": ("工作日", "working days"),
    "hours": ("小时", "hours"),
    "share": ("占比", "share"),
    "count": ("件", "cases"),
    "per_case": ("次/件", "per case"),
}

FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure("cases", "办件量", "Cases", "count", False),
        Figure("concluded", "已办结", "Concluded", "count", False),
        Figure("cycle_working_days_median", "办理时长中位数", "Cycle time, median", "working_days", True),
        Figure("cycle_working_days_p90", "办理时长 P90", "Cycle time, 90th percentile", "working_days", True),
        Figure(
            "cycle_calendar_hours_median", "办理时长中位数（自然时）", "Cycle time, median (calendar)", "hours", True
        ),
        Figure(
            "cycle_calendar_hours_p90",
            "办理时长 P90（自然时）",
            "Cycle time, 90th percentile (calendar)",
            "hours",
            True,
        ),
        Figure("handoffs_per_case", "部门流转", "Hand-offs", "per_case", True),
        Figure("corrections_per_case", "补正", "Corrections", "per_case", True),
        Figure("materials_per_case", "申请材料", "Materials handed in", "per_case", True),
        Figure("trips_per_case", "跑动次数", "In-person trips", "per_case", True),
        Figure("at_most_one_trip_share", "最多跑一次", "At most one trip", "share", False),
        Figure("fully_online_share", "全程网办", "Fully online", "share", False),
        Figure("notify_commit_share", "告知承诺", "Notify-and-commit", "share", False),
        Figure("case_on_time_share", "按时办结率", "Cases concluded on time", "share", False),
        Figure("task_on_time_share", "环节按时率", "Tasks done on time", "share", False),
    ]
}


def figure(key: str) -> Figure:
    return FIGURES[key]


def choices() -> list[tuple[str, str]]:
    return [(f.key, f.label) for f in FIGURES.values()]
