"""Prediction beside reality: a version's latest simulation run and what its cases then measured.

The measured figures are the reports' own (reports.figures.version_figures), so the two columns
count the same things the same way (simulation.results follows those definitions).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from simulation.models import SimulationRun
from simulation.results import COMPARED, pad

from .figures import version_figures
from .registry import FIGURES, Figure


@dataclass
class Row:
    figure: Figure
    predicted: float | None
    measured: float | None

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def unit(self) -> str | Promise:
        return self.figure.unit_label

    @property
    def error(self) -> float | None:
        """(predicted - measured) / measured: +0.10 means the prediction was 10% high."""
        if self.predicted is None or not self.measured:
            return None
        return (self.predicted - self.measured) / self.measured

    def cells(self) -> tuple[str, str, str]:
        error = "–" if self.error is None else f"{self.error * 100:+.1f}%"
        return self.figure.format(self.predicted), self.figure.format(self.measured), error


@dataclass
class SideBySide:
    run: SimulationRun
    measured_cases: int
    rows: list[Row]


def side_by_side(version, measured: dict | None = None) -> SideBySide | None:
    """The latest run for ``version`` and its figures beside the measured ones (``measured``: the
    version's reports figures if the caller has them already); None if it was never simulated."""
    run = SimulationRun.latest_for(version)
    if run is None:
        return None
    if measured is None:
        measured = version_figures(version)
    concluded = measured.get("concluded") or 0
    rows = [Row(FIGURES[key], run.prediction.get(key), measured.get(key) if concluded else None) for key in COMPARED]
    return SideBySide(run, concluded, rows)


def lines(comparison: SideBySide) -> list[str]:
    """The side-by-side as ``manage.py report`` prints it, in the active language."""
    run = comparison.run
    out = [
        _("prediction of %(at)s (%(cases)s cases; %(sources)s) beside %(measured)s concluded cases:")
        % {
            "at": f"{run.created_at:%Y-%m-%d %H:%M}",
            "cases": run.cases,
            "sources": run.source_words() or _("figures given by hand"),
            "measured": comparison.measured_cases,
        }
    ]
    for row in comparison.rows:
        predicted, measured, error = row.cells()
        out.append(
            "  "
            + pad(row.figure.label, 40)
            + " "
            + _("predicted %(predicted)s   measured %(measured)s   error %(error)s")
            % {"predicted": f"{predicted:>8}", "measured": f"{measured:>8}", "error": f"{error:>7}"}
        )
    return out
