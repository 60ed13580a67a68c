"""Learning simulation figures from the event log: what each task took and decided, and what
the other systems did, mapped onto the version to simulate."""

import pytest
from django.conf import settings
from django.utils import translation

from demo.driver import Driver
from engine.models import Case
from processes.actions import do_deploy_version
from simulation.learn import learn
from workdays.calendar_store import get_calendar
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates


def drive(version, item, cases: int):
    driver = Driver(version, service_item=item, seed=5)
    for _ in range(cases):
        driver.drive(driver.start())


def test_learning_counts_every_logged_task_outcome_and_message(reference):
    drive(reference["serial"], reference["item"], 12)
    params = learn([reference["serial"]], calendar=get_calendar())
    done = WorkItem.objects.filter(version=reference["serial"], state=WorkItem.State.COMPLETED)
    review = params.tasks["police_review"]
    assert len(review.wait.args["values"]) == done.filter(task_spec="police_review").count()
    assert sum(review.outcomes.values()) == 1.0 and set(review.outcomes) <= {"approve", "correction", "reject"}
    assert params.tasks["intake"].outcomes == {"accept": 1.0}
    # Every case that got past the reviews waited for the bank, and the bank always answered;
    # the applicant rated in most cases, and the rating window closed the others.
    bank, rating = params.messages["bank_account_opened"], params.messages["service_rated"]
    assert bank.probability == 1.0
    assert 0.5 <= rating.probability < 1.0
    assert (
        len(rating.delay.args["values"])
        == Case.objects.filter(events__kind="message_received", events__activity="service_rated").count()
    )
    commit = Case.objects.filter(version=reference["serial"], notify_commit=True).count() / 12
    assert params.case["notify_commit"] == commit


def test_a_renamed_task_takes_the_figures_of_the_task_with_its_name_and_department(reference):
    drive(reference["serial"], reference["item"], 4)
    xml = (settings.BASE_DIR / "bpmn" / "business_registration.bpmn").read_text(encoding="utf-8")
    renamed = do_deploy_version(xml.replace("police_review", "seal_review").encode(), "renamed.bpmn").version
    params = learn([reference["serial"]], calendar=get_calendar(), target=renamed)
    assert params.tasks["seal_review"] is params.tasks["police_review"]
    assert "seal_review：沿用 police_review 的数据（同名、同部门）" in params.hints
    with translation.override("en"):
        params = learn([reference["serial"]], calendar=get_calendar(), target=renamed)
    assert "seal_review: the figures of police_review (same name and department)" in params.hints
    figures, notes = params.for_task("seal_review", "police")
    assert figures.work is params.tasks["police_review"].work and not notes
