"""The figures a report computes, by key: what each means, its unit and which way is better.

The KPI tree's indicators name a figure by its key (reports.models.Indicator.figure), so a new
indicator is a row, not code. reports.figures computes every key listed here, for any set of cases.
Labels and units are translated lazily: they read in the language of whoever looks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

UNIT_LABELS = {
    "working_days": pgettext_lazy("unit", "working days"),
    "hours": pgettext_lazy("unit", "hours"),
    "share": pgettext_lazy("unit", "share"),
    "count": pgettext_lazy("unit", "cases"),
    "per_case": pgettext_lazy("unit", "per case"),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise  # translated lazily (pgettext_lazy, context "figure")
    unit: str  # a key of UNIT_LABELS
    lower_is_better: bool

    @property
    def unit_label(self) -> str | Promise:
        return UNIT_LABELS[self.unit]

    def format(self, value) -> str:
        if value is None:
            return "–"
        if self.unit == "share":
            return f"{value * 100:.1f}%"
        if self.unit == "count":
            return f"{value:.0f}"
        return f"{value:.2f}"


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure("cases", pgettext_lazy("figure", "Cases"), "count", False),
        Figure("concluded", pgettext_lazy("figure", "Concluded"), "count", False),
        Figure("cycle_working_days_median", pgettext_lazy("figure", "Cycle time, median"), "working_days", True),
        Figure("cycle_working_days_p90", pgettext_lazy("figure", "Cycle time, 90th percentile"), "working_days", True),
        Figure("cycle_calendar_hours_median", pgettext_lazy("figure", "Cycle time, median (calendar)"), "hours", True),
        Figure(
            "cycle_calendar_hours_p90",
            pgettext_lazy("figure", "Cycle time, 90th percentile (calendar)"),
            "hours",
            True,
        ),
        Figure("handoffs_per_case", pgettext_lazy("figure", "Hand-offs"), "per_case", True),
        Figure("corrections_per_case", pgettext_lazy("figure", "Corrections"), "per_case", True),
        Figure("materials_per_case", pgettext_lazy("figure", "Materials handed in"), "per_case", True),
        Figure("trips_per_case", pgettext_lazy("figure", "In-person trips"), "per_case", True),
        Figure("at_most_one_trip_share", pgettext_lazy("figure", "At most one trip"), "share", False),
        Figure("fully_online_share", pgettext_lazy("figure", "Fully online"), "share", False),
        Figure("notify_commit_share", pgettext_lazy("figure", "Notify-and-commit"), "share", False),
        Figure("case_on_time_share", pgettext_lazy("figure", "Cases concluded on time"), "share", False),
        Figure("task_on_time_share", pgettext_lazy("figure", "Tasks done on time"), "share", False),
        # Casework (退回, 撤回, 催办, 延期, 中止, 终止, 不予受理): how often cases needed a clerk's move.
        Figure("send_backs_per_case", pgettext_lazy("figure", "Send-backs"), "per_case", True),
        Figure("withdrawals_per_case", pgettext_lazy("figure", "Tasks taken back"), "per_case", True),
        Figure("urges_per_case", pgettext_lazy("figure", "Urges"), "per_case", True),
        Figure("extensions_per_case", pgettext_lazy("figure", "Extensions approved"), "per_case", True),
        Figure("suspensions_per_case", pgettext_lazy("figure", "Suspensions"), "per_case", True),
        Figure("suspended_working_days_per_case", pgettext_lazy("figure", "Suspended time"), "working_days", True),
        Figure("not_accepted_share", pgettext_lazy("figure", "Not accepted"), "share", True),
        Figure("terminated_share", pgettext_lazy("figure", "Terminated or withdrawn"), "share", True),
    ]
}


def figure(key: str) -> Figure:
    return FIGURES[key]


def choices() -> list[tuple[str, str | Promise]]:
    return [(f.key, f.label) for f in FIGURES.values()]
