import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from engine.demo import ensure_demo_people, ensure_service_items
from engine.driver import Driver, timing_from
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
        parser.add_argument("--timed", action="store_true",
                            help="simulated time: arrivals, waits and work drawn from the departments' service times")
        parser.add_argument("--start", type=dt.date.fromisoformat,
                            help="with --timed: the day the first application arrives (default: 30 days ago)")  # fmt: skip

    def handle(self, *args, cases, process, version, seed, no_progress, timed, start, **options):
        definition = ProcessDefinition.objects.filter(key=process).first()
        if definition is None:
            raise CommandError(f"process '{process}' is not deployed; deploy it first: manage.py deploy bpmn/<file>.bpmn")
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
            day = start or (timezone.localdate() - dt.timedelta(days=30))
            timing = timing_from(dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone()))
        elif start:
            raise CommandError("--start goes with --timed")
        driver = Driver(chosen, service_item=item, seed=seed, timing=timing)
        started = time.perf_counter()
        for _ in tqdm(range(cases), desc=f"{chosen.label}", unit="case", disable=no_progress or None):
            driver.drive(driver.start())
        for line in driver.summary.lines(time.perf_counter() - started):
            self.stdout.write(line)
