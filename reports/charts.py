"""The report's charts as data: drawn by Chart.js on the page, by matplotlib for ``report --png``.

Four charts, one series per version: the cycle time (median and 90th percentile, working days),
waiting and working time per department (mean office hours per task), the cases' lights at their
result, and how many trips the applicants made. Every title, label and department name is in the
active language: the data is built for one reader (or one command run).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from processes.names import in_language

from .figures import APPLICANT, LIGHTS

TRIP_BUCKETS = ("0", "1", "2", "3+")
TRIP_LABELS = (gettext_lazy("0 trips"), gettext_lazy("1 trip"), gettext_lazy("2 trips"), gettext_lazy("3+ trips"))
CHARTS = {
    "cycle_time": gettext_lazy("Cycle time (working days)"),
    "departments": gettext_lazy("Waiting and working per department (office hours per task)"),
    "lights": gettext_lazy("Lights at the result (share of cases)"),
    "trips": gettext_lazy("Trips per case (share of cases)"),
}
# The light a case had at its result.
LIGHT_NAMES = {
    "green": pgettext_lazy("light at the result", "on time"),
    "yellow": pgettext_lazy("light at the result", "close"),
    "red": pgettext_lazy("light at the result", "late"),
}


def _trip_shares(spread: dict, cases: int) -> list[float]:
    buckets = [0, 0, 0, 0]
    for trips, n in spread.items():
        buckets[min(int(trips), 3)] += n
    return [n / cases if cases else 0.0 for n in buckets]


def _lights(figures: dict) -> list[float]:
    counts = figures.get("case_lights") or {}
    total = sum(counts.get(light, 0) for light in LIGHTS)
    return [counts.get(light, 0) / total if total else 0.0 for light in LIGHTS]


def chart_data(rows: list[tuple]) -> dict:
    """``rows``: (version, figures) pairs, in the order the charts show them."""
    labels = [f"v{version.number}" for version, _figures in rows]
    departments: dict[str, tuple[str, str]] = {}
    for _version, figures in rows:
        for row in figures["departments"]:
            departments.setdefault(row["code"], (row["name"], row["name_en"]))
    order = sorted(departments, key=lambda code: (code == APPLICANT, code))

    def per_department(figures: dict, key: str) -> list[float | None]:
        by_code = {row["code"]: row for row in figures["departments"]}
        return [by_code[code][key] if code in by_code else None for code in order]

    return {
        "titles": {key: str(title) for key, title in CHARTS.items()},
        "versions": labels,
        "cycle_time": {
            "median": [figures["cycle_working_days_median"] for _version, figures in rows],
            "p90": [figures["cycle_working_days_p90"] for _version, figures in rows],
            "labels": {"median": _("median"), "p90": "P90", "axis": pgettext("unit", "working days")},
        },
        "departments": {
            "codes": order,
            "names": [in_language(str(departments[code][0]), departments[code][1]) for code in order],
            "wait": [per_department(figures, "wait_hours_mean") for _version, figures in rows],
            "work": [per_department(figures, "work_hours_mean") for _version, figures in rows],
            # Translators: a chart's series, e.g. "v2 waiting".
            "wait_labels": [_("%(version)s waiting") % {"version": label} for label in labels],
            "work_labels": [_("%(version)s working") % {"version": label} for label in labels],
            "axis": _("office hours"),
        },
        "lights": {
            "names": list(LIGHTS),
            "labels": [str(LIGHT_NAMES[light]) for light in LIGHTS],
            "shares": [_lights(figures) for _version, figures in rows],
        },
        "trips": {
            "buckets": list(TRIP_BUCKETS),
            "labels": [str(label) for label in TRIP_LABELS],
            "shares": [_trip_shares(f["trip_spread"], f["cases"]) for _version, f in rows],
        },
    }
