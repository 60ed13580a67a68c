import datetime as dt
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eventlog.export import FORMATS, export
from eventlog.pseudonyms import Pseudonyms
from eventlog.scope import LIFECYCLES, Scope
from processes.models import ProcessDefinition

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Export the event log for process mining as XES, OCEL 2.0 (JSON) or CSV, streamed. People and "
        "enterprises are pseudonymised unless --no-pseudonymise is given (authorised use only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "-o", "--output", required=True, help="file to write ('-': stdout; a name ending in .gz is compressed)"
        )
        parser.add_argument("--process", help="process key (default: every process)")
        # --version here is the process version; it replaces Django's --version.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("--version", type=int, help="only this version of --process")
        parser.add_argument(
            "--since", type=dt.date.fromisoformat, help="only cases started on or after this date (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--all-events",
            action="store_true",
            help="also case, message, timer, clock, deadline and licence events (default: user tasks only)",
        )
        parser.add_argument(
            "--lifecycle",
            choices=LIFECYCLES,
            default="all",
            help="all: every transition of a task (schedule, start, complete ...); complete: completions only",
        )
        parser.add_argument(
            "--unlinkable", action="store_true", help="pseudonyms under a fresh key: not joinable with other exports"
        )
        parser.add_argument(
            "--no-pseudonymise",
            action="store_true",
            help="names, resident IDs, credit codes and user names in clear text (authorised use only)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        if o["version"] and not o["process"]:
            raise CommandError(_("--version needs --process"))
        if o["process"] and not ProcessDefinition.objects.filter(key=o["process"]).exists():
            keys = ", ".join(ProcessDefinition.objects.order_by("key").values_list("key", flat=True)) or "–"
            raise CommandError(
                _("process '%(process)s' is not deployed (deployed: %(keys)s)")
                % {"process": o["process"], "keys": keys}
            )
        if o["no_pseudonymise"] and o["unlinkable"]:
            raise CommandError(_("--unlinkable and --no-pseudonymise contradict each other"))
        if o["no_pseudonymise"]:
            pseudonyms = Pseudonyms.clear_text()
            # Personal data leaves the system: leave a trace of it in the server log.
            logger.warning("event log exported with personal data in clear text to %s", o["output"])
            self.stderr.write(_("personal data in clear text: for authorised use only"))
        else:
            pseudonyms = Pseudonyms.unlinkable() if o["unlinkable"] else Pseudonyms.configured()
        scope = Scope(
            process=o["process"],
            version=o["version"],
            since=o["since"],
            all_events=o["all_events"],
            lifecycle=o["lifecycle"],
        )
        result = export(o["format"], scope, pseudonyms, o["output"], progress=not o["no_progress"])
        # With the log on stdout, the summary goes to stderr. It stays in English whatever the
        # language, as the files' keys do: scripts read it (bench/scenarios/export.py).
        (self.stderr if o["output"] == "-" else self.stdout).write(result.line(o["output"]))
        if result.events == 0:
            self.stderr.write(_("nothing matched: the file holds an empty log"))
