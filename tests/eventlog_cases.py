"""Cases for the event-log export tests, driven end to end through the real engine.

The driver's rates are raised so that a few dozen cases take every path of the reference process
(every department's correction, notify-and-commit and its post-check, rejections): the export
tests need each user task to occur, and driving the thousand cases that the default rates would
need takes minutes.
"""

from __future__ import annotations

from django.core.management import call_command

from demo.driver import Driver, Rates

EVERY_PATH = Rates(correction=0.35, reject=0.05, notify_commit=0.5, post_check_fail=0.5)
TASK_KINDS = {"task_opened", "task_claimed", "task_unclaimed", "task_reassigned", "task_completed", "task_cancelled"}


def drive(version, item, cases: int, *, seed: int = 5, rates: Rates = EVERY_PATH) -> None:
    driver = Driver(version, service_item=item, seed=seed, rates=rates)
    for _ in range(cases):
        driver.drive(driver.start())


def export(path, fmt: str, **options) -> str:
    call_command("export_events", format=fmt, output=str(path), no_progress=True, **options)
    return str(path)


def expected_activities(version) -> set[str]:
    """One activity per user task of the BPMN: its name, and where names repeat, name (id)."""
    tasks = version.elements["user_tasks"]
    names = [meta["name"] for meta in tasks.values()]
    return {
        meta["name"] if names.count(meta["name"]) == 1 else f"{meta['name']} ({task_id})"
        for task_id, meta in tasks.items()
    }
