from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from processes.actions import lint_bytes
from processes.decisions import lint_decision


class Command(BaseCommand):
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
                self.stdout.write(f"{name}: ok")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) have problems", returncode=1)


def read_file(name: str) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"{name}:1: no such file")
    return path.read_bytes()
