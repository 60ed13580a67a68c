"""The report's charts as PNG files (``manage.py report --png DIR``), drawn by matplotlib.

The same four charts as the page (reports.charts), headless (the Agg backend: no display, no
browser), labelled in the active language (the command's: settings.LANGUAGE_CODE). Chinese labels
need a CJK font: the e-licence font (LICENCE_PDF_FONT, Debian's fonts-wqy-zenhei) or Noto Sans CJK
where installed; without one the charts are labelled in English.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation

from .charts import chart_data

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
VERSION_COLOURS = ["#94a3b8", "#2563eb", "#7c3aed", "#0891b2", "#db2777", "#0d9488"]
LIGHT_COLOURS = {"green": "#16a34a", "yellow": "#d97706", "red": "#dc2626"}


def cjk_font() -> str | None:
    for path in [getattr(settings, "LICENCE_PDF_FONT", ""), *FONT_CANDIDATES]:
        if path and Path(path).is_file():
            return path
    return None


def charts_language() -> str:
    """The active language, or English where it needs a CJK font and none is installed."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language.startswith("en") or cjk_font() else "en"


def render_report(rows: list[tuple], directory: Path, *, title: str = "") -> list[Path]:
    """The charts of ``rows`` ((version, figures) pairs, as reports.charts takes them) as PNG files."""
    with translation.override(charts_language()):
        return render_charts(chart_data(rows), directory, title=title)


def render_charts(data: dict, directory: Path, *, title: str = "") -> list[Path]:
    """Write cycle_time.png, departments.png, lights.png and trips.png into ``directory``, with
    the labels ``data`` carries (reports.charts.chart_data)."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    # A .ttc names its weight in a way matplotlib does not parse; it says so for every label.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = cjk_font()
    if font:
        font_manager.fontManager.addfont(font)
        family = font_manager.FontProperties(fname=font).get_name()
        plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key, draw in (("cycle_time", _cycle), ("departments", _departments), ("lights", _lights), ("trips", _trips)):
        figure, axes = plt.subplots(figsize=(8, 4.5), dpi=100)
        draw(axes, data)
        axes.set_title(data["titles"][key] + (f"\n{title}" if title else ""), fontsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        path = directory / f"{key}.png"
        figure.savefig(path, format="png")
        plt.close(figure)
        written.append(path)
    return written


def _bars(axes, groups: list[str], series: list[tuple[str, list, str]], width: float = 0.8) -> None:
    """Grouped bars: one group per entry of ``groups``, one bar per series."""
    count = max(len(series), 1)
    step = width / count
    for i, (name, values, colour) in enumerate(series):
        xs = [g + (i - (count - 1) / 2) * step for g in range(len(groups))]
        axes.bar(xs, [v or 0 for v in values], step * 0.95, label=name, color=colour)
    axes.set_xticks(range(len(groups)), groups)
    axes.legend(frameon=False, fontsize=9)


def _cycle(axes, data) -> None:
    cycle = data["cycle_time"]
    _bars(
        axes,
        data["versions"],
        [(cycle["labels"]["median"], cycle["median"], "#2563eb"), (cycle["labels"]["p90"], cycle["p90"], "#93c5fd")],
    )
    axes.set_ylabel(cycle["labels"]["axis"])


def _departments(axes, data) -> None:
    departments = data["departments"]
    names = departments["names"]
    count = max(len(data["versions"]), 1)
    step = 0.8 / count
    for i in range(len(data["versions"])):
        colour = VERSION_COLOURS[i % len(VERSION_COLOURS)]
        wait = [v or 0 for v in departments["wait"][i]]
        work = [v or 0 for v in departments["work"][i]]
        xs = [g + (i - (count - 1) / 2) * step for g in range(len(names))]
        axes.bar(xs, wait, step * 0.95, color=colour, alpha=0.45, label=departments["wait_labels"][i])
        axes.bar(xs, work, step * 0.95, bottom=wait, color=colour, label=departments["work_labels"][i])
    axes.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=8)
    axes.set_ylabel(departments["axis"])
    axes.legend(frameon=False, fontsize=8, ncol=2)


def _lights(axes, data) -> None:
    versions = data["versions"]
    left = [0.0] * len(versions)
    for j, light in enumerate(data["lights"]["names"]):
        shares = [s[j] for s in data["lights"]["shares"]]
        axes.barh(versions, shares, left=left, color=LIGHT_COLOURS[light], label=data["lights"]["labels"][j])
        left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.invert_yaxis()  # the older version on top, as on the page
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value * 100:.0f}%")
    axes.legend(frameon=False, fontsize=9, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))


def _trips(axes, data) -> None:
    series = [
        (version, data["trips"]["shares"][i], VERSION_COLOURS[i % len(VERSION_COLOURS)])
        for i, version in enumerate(data["versions"])
    ]
    _bars(axes, data["trips"]["labels"], series)
    axes.yaxis.set_major_formatter(lambda value, _: f"{value * 100:.0f}%")
