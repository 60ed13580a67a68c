"""Rows of the benchmark report: every figure beside a reference measured in the same run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


@dataclass
class Row:
    figure: str
    value: float
    unit: str
    reference: str = ""
    reference_value: float | None = None
    note: str = ""
    plan: str = ""
    machine: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference_value in (None, 0):
            return None
        return self.value / self.reference_value


def target(text: str, met: bool | None) -> str:
    """A target in a row's note, with whether this run met it (None: not measured at full size)."""
    verdict = "not at full size" if met is None else ("met" if met else "MISSED")
    return f"target {text}: {verdict}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        cpu = model
    except (OSError, StopIteration):
        pass
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg = ""
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {pg}"


def write(rows: list[Row], name: str = "latest") -> str:
    RESULTS.mkdir(exist_ok=True)
    where = machine()
    records = []
    for row in rows:
        row.machine = where
        record = asdict(row)
        record["ratio"] = row.ratio
        records.append(record)
    (RESULTS / f"{name}.json").write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    table = markdown(rows, where)
    (RESULTS / f"{name}.md").write_text(table, encoding="utf-8")
    return table


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def markdown(rows: list[Row], where: str) -> str:
    lines = [
        f"Machine: {where}",
        "",
        "| figure | value | unit | reference | reference value | ratio | note |",
        "| --- | ---: | --- | --- | ---: | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.figure} | {_fmt(row.value)} | {row.unit} | {row.reference} | {_fmt(row.reference_value)} | "
            f"{_fmt(row.ratio)} | {row.note} |"
        )
    return "\n".join(lines) + "\n"
