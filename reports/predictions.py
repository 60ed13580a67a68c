"""Prediction beside reality: a version's latest simulation run and what its cases then measured.

The measured figures are the reports' own (reports.figures.version_figures), so the two columns
count the same things the same way (simulation.results follows those definitions).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.models import SimulationRun
from simulation.results import COMPARED

from .figures import version_figures
from .registry import FIGURES, UNIT_LABELS, Figure


@dataclass
class Row:
    figure: Figure
    predicted: float | None
    measured: float | None

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def unit(self) -> tuple[str, str]:
        return UNIT_LABELS[self.figure.unit]

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
    run = comparison.run
    out = [
        f"prediction of {run.created_at:%Y-%m-%d %H:%M} ({run.cases} cases; {run.learned_from or 'figures given by hand'}) "
        f"beside {comparison.measured_cases} concluded cases:"
    ]
    for row in comparison.rows:
        predicted, measured, error = row.cells()
        out.append(f"  {row.figure.en:<40} predicted {predicted:>8}   measured {measured:>8}   error {error:>7}")
    return out
