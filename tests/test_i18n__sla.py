"""One language at a time on the deadline pages: the supervision dashboard and the notifications
in English carry no Chinese, and in Chinese no English sentence (tests/test_i18n__pages.py's
checks), with tasks late, escalated and notified as the sweeps leave them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from engine.actions import do_claim_task, do_complete_task, do_start_case
from sla.escalation import do_sweep_escalations
from sla.models import EscalationStep
from sla.sweeps import do_sweep_lights
from worklists.models import WorkItem

from .as_of import LOCAL
from .conftest import decision
from .test_i18n__pages import APPLICANT, ENTERPRISE, chinese_in, english_in, read

pytestmark = pytest.mark.dates

STARTED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=LOCAL)  # a Monday
LATE = dt.datetime(2026, 11, 24, 10, 0, tzinfo=LOCAL)  # three weeks on: every review late, escalated twice


@pytest.fixture
def pages(reference, frontdesk, clerk_market, clerk_tax, head_market, supervisor):
    """Two cases past market regulation, one tax review claimed; then everything runs late."""
    # The default chain, as its data migration writes it (a live-server test before this one flushes it).
    EscalationStep.objects.get_or_create(
        department=None, level=1, defaults={"who": "department_head", "after_working_hours": 0}
    )
    EscalationStep.objects.get_or_create(
        department=None, level=2, defaults={"who": "supervisors", "after_working_hours": 7}
    )
    with time_machine.travel(STARTED, tick=False):
        for _ in range(2):
            case = do_start_case(service_item=reference["item"], acting_user=frontdesk, applicant_name=APPLICANT,
                                 enterprise_name=ENTERPRISE, applicant_id_number="11010519491231002X")  # fmt: skip
            for spec, user, outcome in (("intake", frontdesk, "accept"), ("market_review", clerk_market, "approve")):
                item = WorkItem.objects.get(case=case, task_spec=spec)
                do_claim_task(item.pk, acting_user=user)
                do_complete_task(
                    item.pk, acting_user=user, outcome=outcome, data=decision(outcome, item.version.user_task(spec))
                )
        do_claim_task(WorkItem.objects.filter(task_spec="tax_review").first().pk, acting_user=clerk_tax)
    with time_machine.travel(LATE, tick=False):
        do_sweep_lights()
        assert do_sweep_escalations().notified
    return [
        (supervisor, "/sla/"),
        (supervisor, "/sla/?department=tax"),
        (supervisor, f"/sla/?service_item={reference['item'].code}"),
        (supervisor, "/sla/notifications/"),
        (head_market, "/sla/notifications/"),
    ]


def test_the_deadline_pages_in_english_carry_no_chinese(client, pages):
    with time_machine.travel(LATE, tick=False):
        for user, path in pages:
            assert chinese_in(read(client, user, path, "en")) == set(), path


def test_the_deadline_pages_in_chinese_carry_no_english_sentence(client, pages):
    with time_machine.travel(LATE, tick=False):
        for user, path in pages:
            assert english_in(read(client, user, path, "zh-hans")) == set(), path


def test_the_red_list_says_how_late_in_the_reader_s_language(client, pages):
    with time_machine.travel(LATE, tick=False):
        english = read(client, pages[0][0], "/sla/", "en")
        chinese = read(client, pages[0][0], "/sla/", "zh-hans")
    assert "working days" in english and "department queue" in english and "on time" in english
    assert "个工作日" in chinese and "部门待签收" in chinese and "绿灯" in chinese


def test_the_dashboard_and_the_notices_in_chromium_in_each_language_with_screenshots(live_server, pages):
    """What a supervisor sees, the chart's legend and axis included: switched with the menu's
    language switch; screenshots in tests/artifacts/."""
    from demo.seed import ensure_demo_people

    from .browser import Browser, require_browser

    require_browser()
    ensure_demo_people(password="i18n-test-password")
    with time_machine.travel(LATE, tick=True), Browser(live_server.url) as browser:
        browser.login("supervisor", "i18n-test-password")
        for language, check in (("en", chinese_in), ("zh-hans", english_in)):
            browser.open("/sla/")
            browser.page.select_option("select[name=language]", language)
            browser.page.wait_for_selector(f"html[lang='{language}']")
            for name, path in (("sla_dashboard", "/sla/"), ("sla_notifications", "/sla/notifications/")):
                browser.open(path)
                if path == "/sla/":
                    browser.page.wait_for_selector("#sla-breaches[data-rendered='1']")
                    legend = browser.page.evaluate(
                        "Chart.getChart(document.getElementById('sla-breaches')).data.datasets.map(d => d.label)"
                    )
                    assert check(" ".join(legend)) == set(), (language, legend)
                browser.screenshot(f"i18n_{name}_{language}")
                assert check(browser.page.evaluate("document.body.innerText")) == set(), (language, path)
        assert not browser.errors, browser.errors
