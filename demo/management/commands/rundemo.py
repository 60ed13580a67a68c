import datetime as dt

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.driver import Driver, Rates, timing_from
from demo.seed import DEMO_PASSWORD, demo_people_described, ensure_service_items, seed
from engine.models import Case
from processes.models import ServiceItem
from sla.embedded import start_timer_loop


class Command(BaseCommand):
    help = "Set up and serve the embedded demo: migrate, deploy, demo users, a few cases, timers, web."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set up only")

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", verbosity=0)
        for line in seed():
            self.stdout.write(line)
        if not Case.objects.exists():
            self.drive_demo_cases()
        self.stdout.write("")
        self.stdout.write(f"Demo users (password: {DEMO_PASSWORD}):")
        people = demo_people_described()
        width = max(len(username) for username, _ in people)
        for username, description in people:
            self.stdout.write(f"  {username:<{width}}  {description}")
        self.stdout.write(f"Cases: {Case.objects.count()} ({Case.objects.filter(status='running').count()} running)")
        if no_serve:
            return
        if settings.TIMERS_IN_PROCESS:
            start_timer_loop(settings.TIMER_SWEEP_SECONDS)
            self.stdout.write(f"Timers: swept in-process every {settings.TIMER_SWEEP_SECONDS} s")
        self.stdout.write(f"Open http://{addrport}/ and log in as one of the users above.")
        call_command("runserver", addrport, use_reloader=False)

    def drive_demo_cases(self):
        item = ensure_service_items()
        # The finished ones in simulated time over the past weeks, every version under the same
        # service times, so that the reports (/reports/) compare versions on real durations.
        # Simulated time ends now: the demo lives in the past and the present only, and a case
        # whose next step would fall later waits there, as a real one would.
        now = timezone.now()
        start = dt.datetime.combine(
            timezone.localdate(now) - dt.timedelta(days=28), dt.time(9), tzinfo=timezone.get_current_timezone()
        )
        for version in item.process.versions.order_by("number"):
            timed = Driver(version, service_item=item, seed=version.number, timing=timing_from(start, until=now))
            for _ in range(8):
                timed.drive(timed.start())
            driver = Driver(version, service_item=item, seed=version.number)
            # a few left mid-way, so that every inbox has work in it
            for steps in (1, 2, 3, 4, 6):
                driver.drive(driver.start(), max_steps=steps)
        # 告知承诺: one commitment that the post-check confirms, one found untrue and never
        # rectified (its licence revoked, shown on /verify/ and in the credit record).
        latest = item.process.latest_version()
        for story_seed, untrue in ((101, False), (102, True)):
            rates = Rates(
                correction=0, reject=0, notify_commit=1.0, post_check_fail=1.0 if untrue else 0.0, acts_before_timer=0.0
            )
            driver = Driver(latest, service_item=item, seed=story_seed, rates=rates)
            driver.drive(driver.start())
        # 建筑工程施工许可: a few done, a few left in its departments' queues.
        permit = ServiceItem.objects.get(code="construction_permit")
        driver = Driver(permit.process.latest_version(), service_item=permit, seed=7)
        for steps in (None, None, 1, 2, 3):
            driver.drive(driver.start(), max_steps=steps)
        self.stdout.write(
            "Drove demo cases: some finished, some waiting in the departments' queues, one licence revoked."
        )
