import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from demo.driver import Driver, timing_from
from demo.seed import ensure_demo_people, ensure_service_items
from processes.models import ProcessDefinition, ServiceItem


class Command(BaseCommand):
    help = "Work N cases to the end through the write path, acting as each department's clerks."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=10)
        parser.add_argument("--process", default="business_registration", help="process key")
        # --version here is the process version to drive; it replaces Django's --version.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("--version", type=int, help="version number (default: the latest)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--timed",
            action="store_true",
            help="simulated time: arrivals, waits and work drawn from the departments' service times",
        )
        parser.add_argument(
            "--start",
            type=dt.date.fromisoformat,
            help="with --timed: the day the first application arrives (default: 30 days ago)",
        )
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            help="with --timed: the last day of simulated time (default: now; nothing is dated later: "
            "later arrivals are not started and cases wait where they stand)",
        )

    def handle(self, *args, cases, process, version, seed, no_progress, timed, start, until, **options):
        definition = ProcessDefinition.objects.filter(key=process).first()
        if definition is None:
            raise CommandError(
                f"process '{process}' is not deployed; deploy it first: manage.py deploy bpmn/<file>.bpmn"
            )
        chosen = definition.versions.filter(number=version).first() if version else definition.latest_version()
        if chosen is None:
            numbers = ", ".join(str(n) for n in definition.versions.values_list("number", flat=True))
            raise CommandError(f"process '{process}' has no version {version}; it has: {numbers}")
        if process == "business_registration":
            ensure_service_items()
        ensure_demo_people(password=None)
        item = ServiceItem.objects.filter(process=definition).first()
        timing = None
        if timed:
            zone = timezone.get_current_timezone()
            day = start or (timezone.localdate() - dt.timedelta(days=30))
            # The end of simulated time: now, or the close of the day given.
            end = dt.datetime.combine(until, dt.time.max, tzinfo=zone) if until else timezone.now()
            first = dt.datetime.combine(day, dt.time(9), tzinfo=zone)
            if first > end:
                raise CommandError(
                    f"--start {day} is after the end of simulated time ({timezone.localtime(end):%Y-%m-%d %H:%M}): "
                    "give an earlier --start, or --until"
                )
            timing = timing_from(first, until=end)
        elif start or until:
            raise CommandError("--start and --until go with --timed")
        driver = Driver(chosen, service_item=item, seed=seed, timing=timing)
        started = time.perf_counter()
        for _ in tqdm(range(cases), desc=f"{chosen.label}", unit="case", disable=no_progress or None):
            driver.drive(driver.start())
        for line in driver.summary.lines(time.perf_counter() - started):
            self.stdout.write(line)
