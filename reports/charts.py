"""The report's charts as data: drawn by Chart.js on the page, by matplotlib for ``report --png``.

Four charts, one series per version: the cycle time (median and 90th percentile, working days),
waiting and working time per department (mean office hours per task), the cases' lights at their
result, and how many trips the applicants made.
"""

from __future__ import annotations

from .figures import APPLICANT, LIGHTS

TRIP_BUCKETS = ("0", "1", "2", "3+")
CHARTS = {
    "cycle_time": ("办理时长（工作日）", "Cycle time (working days)"),
    "departments": ("部门等待与办理（小时/任务）", "Waiting and working per department (office hours per task)"),
    "lights": ("办结亮灯（占比）", "Lights at the result (share of cases)"),
    "trips": ("跑动次数分布（占比）", "Trips per case (share of cases)"),
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
    labels = [f"v{version.number}" for version, _ in rows]
    departments: dict[str, tuple[str, str]] = {}
    for _, figures in rows:
        for row in figures["departments"]:
            departments.setdefault(row["code"], (row["name"], row["name_en"]))
    order = sorted(departments, key=lambda code: (code == APPLICANT, code))

    def per_department(figures: dict, key: str) -> list[float | None]:
        by_code = {row["code"]: row for row in figures["departments"]}
        return [by_code[code][key] if code in by_code else None for code in order]

    return {
        "titles": CHARTS,
        "versions": labels,
        "cycle_time": {
            "median": [figures["cycle_working_days_median"] for _, figures in rows],
            "p90": [figures["cycle_working_days_p90"] for _, figures in rows],
        },
        "departments": {
            "codes": order,
            "names": [list(departments[code]) for code in order],
            "wait": [per_department(figures, "wait_hours_mean") for _, figures in rows],
            "work": [per_department(figures, "work_hours_mean") for _, figures in rows],
        },
        "lights": {"names": list(LIGHTS), "shares": [_lights(figures) for _, figures in rows]},
        "trips": {
            "buckets": list(TRIP_BUCKETS),
            "shares": [_trip_shares(f["trip_spread"], f["cases"]) for _, f in rows],
        },
    }
