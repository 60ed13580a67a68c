from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from processes.models import ProcessDefinition
from processes.names import in_language
from reports.comparison import Comparison
from reports.figures import process_figures
from reports.predictions import lines, side_by_side
from reports.registry import FIGURES
from reports.views import TABLE
from simulation.results import pad, width

# Management commands run in settings.LANGUAGE_CODE (Chinese by default): the report is printed in it.


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
            keys = ", ".join(ProcessDefinition.objects.order_by("key").values_list("key", flat=True)) or "–"
            raise CommandError(
                _("there is no process '%(process)s'; processes: %(keys)s") % {"process": process, "keys": keys}
            )
        rows = process_figures(definition)
        if not rows:
            raise CommandError(_("process '%(process)s' has no cases yet") % {"process": process})
        by_number = {version.number: (version, figures) for version, figures in rows}
        if compare:
            missing = [n for n in compare if n not in by_number]
            if missing:
                have = ", ".join(str(n) for n in by_number)
                raise CommandError(
                    _("process '%(process)s' has no cases on version %(version)s; versions with cases: %(have)s")
                    % {"process": process, "version": missing[0], "have": have}
                )
            rows = [by_number[compare[0]], by_number[compare[1]]]
        self.table(definition, rows)
        self.predictions(rows)
        if len(rows) >= 2:
            (before, f_before), (after, f_after) = rows[-2], rows[-1]
            comparison = Comparison(f_before, f_after)
            self.stdout.write("")
            self.stdout.write(
                _("v%(new)s against v%(old)s: %(headline)s")
                % {"new": after.number, "old": before.number, "headline": comparison.headline()}
            )
            for change in comparison.changes[3:]:
                self.stdout.write(f"  {change.words()}")
        if png:
            from reports.png import render_report

            for path in render_report(rows, png, title=definition.key):
                self.stdout.write(_("wrote %(path)s") % {"path": path})

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
        columns = 44
        heading = "".join(f"{'v' + str(version.number):>12}" for version, _figures in rows)
        self.stdout.write(f"{in_language(definition.name)} ({definition.key})")
        self.stdout.write(_clip(_("Figure"), columns) + heading)
        for key in TABLE:
            figure = FIGURES[key]
            cells = "".join(f"{figure.format(figures[key]):>12}" for _version, figures in rows)
            self.stdout.write(f"{_clip(str(figure.label), columns)}{cells}")
        self.stdout.write("")
        heading = "".join(
            pad(_("v%(version)s wait/work") % {"version": version.number}, 20, ">") for version, _figures in rows
        )
        self.stdout.write(_clip(_("department (mean office hours per task)"), columns) + heading)
        codes = []
        for _version, figures in rows:
            codes += [row["code"] for row in figures["departments"] if row["code"] not in codes]
        for code in codes:
            cells = ""
            for _version, figures in rows:
                row = next((r for r in figures["departments"] if r["code"] == code), None)
                text = "–" if row is None else "{:.2f} / {:.2f}".format(row["wait_hours_mean"], row["work_hours_mean"])
                cells += f"{text:>20}"
            self.stdout.write(f"{_clip(code, columns)}{cells}")


def _clip(text: str, columns: int) -> str:
    """``text`` in ``columns`` terminal columns: cut where it is longer, padded where shorter."""
    while width(text) > columns - 1:
        text = text[:-1]
    return pad(text, columns)
