import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from engine.in_memory import ProcessMachine
from processes.models import ProcessDefinition, ServiceItem
from simulation.learn import learn
from simulation.loop import Simulation
from simulation.models import SimulationRun
from simulation.params import Params, ParamsError, describe_sources, load_params, parse_staff
from simulation.results import summarise, table
from workdays.calendar_store import get_calendar
from workdays.clock import Limit


class Command(BaseCommand):
    help = (
        "What-if simulation: run N cases of a process version through the engine in memory, with durations and "
        "outcomes learned from earlier versions' event log (--from-log) or given by hand (--params), and predict "
        "cycle times, queues and late cases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--process", default="business_registration", help="process key")
        # --version here is the process version to simulate; it replaces Django's --version.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("--version", type=int, help="version number (default: the latest)")
        parser.add_argument("--cases", type=int, default=1000)
        parser.add_argument("--from-log", action="store_true", help="learn from the event log of the earlier versions")
        parser.add_argument(
            "--from-version",
            type=int,
            action="append",
            default=[],
            metavar="N",
            help="learn from the log of this version (repeatable; implies --from-log)",
        )
        parser.add_argument(
            "--params", metavar="FILE", help="figures by hand, TOML or JSON (they win over learned ones)"
        )
        parser.add_argument(
            "--staff", action="append", default=[], metavar="DEPT=K", help="clerks of a department (repeatable)"
        )
        parser.add_argument("--arrivals", type=float, metavar="PER_DAY", help="applications per working day")
        parser.add_argument("--start", type=dt.date.fromisoformat, help="first day (default: the next working day)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-save", action="store_true", help="do not store the run for the reports")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print the prediction as JSON")
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        process,
        version,
        cases,
        from_log,
        from_version,
        params,
        staff,
        arrivals,
        start,
        seed,
        no_save,
        as_json,
        no_progress,
        **options,
    ):
        if cases < 1:
            raise CommandError(_("--cases must be at least 1"))
        definition = ProcessDefinition.objects.filter(key=process).first()
        if definition is None:
            raise CommandError(
                _("process '%(process)s' is not deployed; deploy it first: manage.py deploy bpmn/<file>.bpmn")
                % {"process": process}
            )
        chosen = definition.versions.filter(number=version).first() if version else definition.latest_version()
        if chosen is None:
            numbers = ", ".join(str(n) for n in definition.versions.values_list("number", flat=True))
            raise CommandError(
                _("process '%(process)s' has no version %(version)s; it has: %(numbers)s")
                % {"process": process, "version": version, "numbers": numbers}
            )
        calendar = get_calendar()
        figures = self.figures(definition, chosen, calendar, from_log or bool(from_version), from_version, params)
        try:
            figures.staff.update(parse_staff(staff))
        except ParamsError as error:
            raise CommandError(str(error)) from None
        if arrivals is not None:
            if arrivals <= 0:
                raise CommandError(_("--arrivals must be more than 0"))
            figures.arrivals_per_day = arrivals
        if not figures.arrivals_per_day:
            raise CommandError(_("the arrival rate is not known: give --arrivals PER_DAY (the log has too few cases)"))
        item = ServiceItem.objects.filter(process=definition).first()
        limits = (
            (
                Limit(working_days=item.promised_limit_working_days),
                Limit(working_days=item.statutory_limit_working_days),
            )
            if item
            else (Limit(), Limit())
        )
        first_day = start or calendar.add_working_days(timezone.localdate(), 1)
        simulation = Simulation(
            chosen,
            figures,
            cases=cases,
            calendar=calendar,
            first_day=first_day,
            case_limits=limits,
            seed=seed,
            machine=ProcessMachine(chosen),
        )
        began = time.perf_counter()
        desc = _("simulate %(version)s") % {"version": chosen.label}
        with tqdm(total=cases, desc=desc, unit="case", disable=no_progress or None) as bar:
            simulation.progress = bar
            tally = simulation.run()
        prediction = summarise(simulation, tally, time.perf_counter() - began)
        # In the command's language (settings.LANGUAGE_CODE); the report page words the sources
        # again in its reader's (SimulationRun.source_words).
        learned = describe_sources(figures.sources)
        if not no_save:
            SimulationRun.objects.create(
                version=chosen,
                cases=cases,
                seed=seed,
                learned_from=learned[:500],
                params=figures.to_json(),
                prediction=prediction,
            )
        if as_json:
            self.stdout.write(_dumps(prediction))
            return
        for line in table(prediction, _("simulation of %(version)s") % {"version": chosen.label}):
            self.stdout.write(line)
        self.stdout.write("  " + _("figures from: %(sources)s") % {"sources": learned})
        for hint in figures.hints:
            self.stdout.write(f"  {hint}")
        if not no_save and chosen.cases.exists():
            # The reports put each version's latest run beside what its cases measure.
            self.stdout.write(
                "  "
                + _(
                    "beside what %(version)s's cases measure: manage.py report --process %(process)s (and the report page)"
                )
                % {"version": chosen.label, "process": definition.key}
            )

    def figures(
        self, definition, chosen, calendar, from_log: bool, from_versions: list[int], path: str | None
    ) -> Params:
        if not from_log and not path:
            raise CommandError(_("give --from-log (learn from earlier versions' event log) and/or --params FILE"))
        figures = Params()
        if from_log:
            if from_versions:
                sources = list(definition.versions.filter(number__in=from_versions))
                missing = sorted(set(from_versions) - {v.number for v in sources})
                if missing:
                    raise CommandError(
                        _("process '%(process)s' has no version %(version)s")
                        % {"process": definition.key, "version": ", ".join(map(str, missing))}
                    )
            else:
                sources = list(definition.versions.filter(number__lt=chosen.number))
            sources = [v for v in sources if v.cases.exists()]
            if not sources:
                raise CommandError(
                    _(
                        "no earlier version of '%(process)s' has cases in the event log to learn from; "
                        "give --from-version N or --params FILE"
                    )
                    % {"process": definition.key}
                )
            figures = learn(sources, calendar=calendar, target=chosen)
        if path:
            try:
                figures = figures.overlaid(load_params(path))
            except ParamsError as error:
                raise CommandError(str(error)) from None
        return figures


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
