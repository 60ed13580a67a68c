from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from processes.actions import lint_bytes
from processes.decisions import lint_decision


class Command(BaseCommand):
    # The problems are said in the site's language (settings.LANGUAGE_CODE), as Django runs commands.
    help = "Validate BPMN and DMN files without deploying: every problem as FILE:LINE: message; exit 1 if any."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            lint = lint_decision if name.lower().endswith(".dmn") else lint_bytes
            problems = lint(read_file(name), name)
            for problem in problems:
                self.stderr.write(problem.format(name))
            if problems:
                failed += 1
            else:
                self.stdout.write(_("%(file)s: ok") % {"file": name})
        if failed:
            message = ngettext(
                "%(failed)s of %(total)s files has problems", "%(failed)s of %(total)s files have problems", failed
            )
            raise CommandError(message % {"failed": failed, "total": len(files)}, returncode=1)


def read_file(name: str) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise CommandError(_("%(file)s:1: no such file") % {"file": name})
    return path.read_bytes()
