from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from processes.actions import do_deploy_version
from processes.bpmn_file import BpmnFileError
from processes.decisions import do_deploy_decision

from .lint import read_file


class Command(BaseCommand):
    help = "Validate and deploy BPMN files (processes) and DMN files (decisions) as new versions. The same file again is a no-op."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            try:
                deploy = do_deploy_decision if name.lower().endswith(".dmn") else do_deploy_version
                result = deploy(read_file(name), name)
            except BpmnFileError as error:
                failed += 1
                for problem in error.problems:
                    self.stderr.write(problem.format(name))
                continue
            self.stdout.write(f"{name}: {result.describe()}")
        if failed:
            message = ngettext(
                "%(failed)s of %(total)s files was not deployed; nothing was stored for it",
                "%(failed)s of %(total)s files were not deployed; nothing was stored for them",
                failed,
            )
            raise CommandError(message % {"failed": failed, "total": len(files)}, returncode=1)
