from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from processes.models import ProcessDefinition
from reports.charts import chart_data
from reports.comparison import Comparison
from reports.figures import process_figures
from reports.predictions import lines, side_by_side
from reports.registry import FIGURES
from reports.views import TABLE


class Command(BaseCommand):
    help = "The reengineering report of a process: figures per version and per department, one version against another."

    def add_arguments(self, parser):
        parser.add_argument("--process", required=True, help="process key, e.g. business_registration")
        parser.add_argument(
            "--compare",
            nargs=2,
            type=int,
            metavar=("V1", "V2"),
            help="compare version V2 against V1 (default: the last two versions with cases)",
        )
        parser.add_argument("--png", type=Path, metavar="DIR", help="also write the charts as PNG files into DIR")

    def handle(self, *args, process, compare, png, **options):
        definition = ProcessDefinition.objects.filter(key=process).first()
        if definition is None:
            keys = ", ".join(ProcessDefinition.objects.order_by("key").values_list("key", flat=True)) or "none"
            raise CommandError(f"there is no process '{process}'; processes: {keys}")
        rows = process_figures(definition)
        if not rows:
            raise CommandError(f"process '{process}' has no cases yet")
        by_number = {version.number: (version, figures) for version, figures in rows}
        if compare:
            missing = [n for n in compare if n not in by_number]
            if missing:
                have = ", ".join(str(n) for n in by_number)
                raise CommandError(
                    f"process '{process}' has no cases on version {missing[0]}; versions with cases: {have}"
                )
            rows = [by_number[compare[0]], by_number[compare[1]]]
        self.table(definition, rows)
        self.predictions(rows)
        if len(rows) >= 2:
            (before, f_before), (after, f_after) = rows[-2], rows[-1]
            comparison = Comparison(f_before, f_after)
            self.stdout.write("")
            self.stdout.write(f"v{after.number} against v{before.number}: {comparison.headline()}")
            self.stdout.write(f"  ({comparison.headline_en()})")
            for change in comparison.changes[3:]:
                self.stdout.write(f"  {change.words()[0]}  ({change.words()[1]})")
        if png:
            from reports.png import render_charts

            for path in render_charts(chart_data(rows), png, title=definition.key):
                self.stdout.write(f"wrote {path}")

    def predictions(self, rows) -> None:
        """Each version's latest simulation (manage.py simulate) beside what its cases measured."""
        for version, figures in rows:
            comparison = side_by_side(version, figures)
            if comparison is not None:
                first, *rest = lines(comparison)
                self.stdout.write("")
                self.stdout.write(f"v{version.number} {first}")
                for line in rest:
                    self.stdout.write(line)

    def table(self, definition, rows) -> None:
        width = 44
        heading = "".join(f"{'v' + str(version.number):>12}" for version, _ in rows)
        self.stdout.write(f"{definition.name} ({definition.key})")
        self.stdout.write(f"{'figure':<{width}}{heading}")
        for key in TABLE:
            figure = FIGURES[key]
            cells = "".join(f"{figure.format(figures[key]):>12}" for _, figures in rows)
            self.stdout.write(f"{_clip(figure.en, width)}{cells}")
        self.stdout.write("")
        columns = "".join(f"{'v' + str(version.number) + ' wait/work':>20}" for version, _ in rows)
        self.stdout.write(f"{'department (mean office hours per task)':<{width}}{columns}")
        codes = []
        for _, figures in rows:
            codes += [row["code"] for row in figures["departments"] if row["code"] not in codes]
        for code in codes:
            cells = ""
            for _, figures in rows:
                row = next((r for r in figures["departments"] if r["code"] == code), None)
                text = "–" if row is None else "{:.2f} / {:.2f}".format(row["wait_hours_mean"], row["work_hours_mean"])
                cells += f"{text:>20}"
            self.stdout.write(f"{_clip(code, width)}{cells}")


def _clip(text: str, width: int) -> str:
    return f"{text[: width - 1]:<{width}}"
