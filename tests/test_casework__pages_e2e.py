"""Every casework move through the pages, in headless Chromium, as the people who make them: on
business registration (退回, 撤回, 催办, 委派, 加签, 延期, 中止/恢复, 抄送, 终止, 不予受理) and on
the construction permit (退回 inside the inclusive fan-out, 转办 to a colleague, 加签 to a person,
转办 to another department and its head's acceptance). What each page shows is checked against
the rows the move wrote."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from demo.seed import ensure_construction_permit, ensure_demo_people
from engine.actions import do_claim_task, do_complete_task, do_start_case
from engine.models import Case, Event
from sla.extension_models import Extension
from tests.browser import Browser, require_browser
from worklists.models import Copy, WorkItem

from .casework import fan_out
from .test_engine__business_registration import start

PASSWORD = "casework-test-password"


@pytest.fixture
def chromium():
    require_browser()


def switch_user(browser, username: str) -> None:
    """Log out through the menu, then in as someone else."""
    if browser.page.locator("header form[action='/logout/'] button").count():
        with browser.page.expect_navigation():
            browser.page.click("header form[action='/logout/'] button")
    browser.login(username, PASSWORD)


def said(page) -> str:
    return page.locator("[data-message]").first.inner_text()


def open_task(browser, item: WorkItem) -> None:
    browser.open(f"/tasks/{item.pk}/")


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_the_casework_moves_on_business_registration_through_the_pages(
    chromium, live_server, reference, frontdesk, clerk_market, clerk_hrss
):
    ensure_demo_people(password=PASSWORD)
    case = fan_out(reference, frontdesk, clerk_market)
    tax = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
    with Browser(live_server.url) as browser:
        page = browser.page
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of the moves

        # 退回: the tax clerk claims the review and sends the case back to the licence review.
        browser.login("clerk_tax", PASSWORD)
        open_task(browser, tax)
        submit(page, "[data-claim]")
        page.click("[data-send-back-panel] summary")
        page.select_option("[data-send-back] select[name=to_step]", "market_review")
        page.fill("[data-send-back] textarea[name=reason]", "经营范围表述不清")
        browser.screenshot("casework_send_back")
        submit(page, "[data-send-back] button[type=submit]")
        assert said(page).startswith(f"办件 {case.number} 已退回至")
        assert WorkItem.objects.get(pk=tax.pk).state == "sent_back"

        # The licence review is back in market regulation's queue, with why.
        switch_user(browser, "clerk_market")
        review = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
        open_task(browser, review)
        assert "经营范围表述不清" in page.locator("[data-sent-back-note]").inner_text()
        submit(page, "[data-claim]")
        page.fill("textarea[name='data-opinion']", "已核实")
        submit(page, "[data-outcome='approve']")
        # 撤回: nobody acted on it yet, so the clerk takes it back from the done tab.
        open_task(browser, review)
        assert page.locator("[data-withdraw]").count() == 1
        submit(page, "[data-withdraw] button")
        assert said(page).startswith("已撤回")
        again = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
        assert again.assignee.username == "clerk_market" and page.url.endswith(f"/tasks/{again.pk}/")
        page.fill("textarea[name='data-opinion']", "已核实")
        submit(page, "[data-outcome='approve']")

        # 催办: the supervisor urges the tax review.
        tax = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
        switch_user(browser, "supervisor")
        open_task(browser, tax)
        page.fill("[data-urge] input[name=note]", "请尽快办理")
        submit(page, "[data-urge] button")
        assert page.locator("[data-urges]").first.inner_text() == "已催办 1 次"

        # 委派 and 加签: the tax clerk delegates the check to HRSS, gets it back, asks the police.
        switch_user(browser, "clerk_tax")
        open_task(browser, tax)
        submit(page, "[data-claim]")
        page.click("[data-hand-over-panel] summary")
        page.select_option("[data-delegate] select[name=to_user]", str(clerk_hrss.pk))
        submit(page, "[data-delegate] button")
        assert page.locator("[data-delegated]").count() == 1 and page.locator("[data-complete]").count() == 0
        switch_user(browser, "clerk_hrss")
        browser.open("/work/?tab=delegated")
        assert page.locator(f"a[href='/tasks/{tax.pk}/']").count() >= 1
        open_task(browser, tax)
        page.fill("[data-return-delegation] input[name=note]", "社保信息一致")
        submit(page, "[data-return-delegation] button")
        switch_user(browser, "clerk_tax")
        open_task(browser, tax)
        page.click("[data-ask-opinion-panel] summary")
        page.select_option("[data-ask-opinion] select[name=department]", "police")
        page.fill("[data-ask-opinion] textarea[name=question]", "公章刻制是否已备案？")
        submit(page, "[data-ask-opinion] button[type=submit]")
        assert page.locator("[data-opinion='open']").count() == 1
        request = WorkItem.objects.get(case=case, asked_for=tax)
        switch_user(browser, "clerk_police")
        browser.open("/work/")
        assert page.locator(f"tr[data-task='{request.pk}']").count() == 1
        open_task(browser, request)
        page.fill("[data-give-opinion] textarea[name=opinion]", "已备案")
        submit(page, "[data-give-opinion] button")
        switch_user(browser, "clerk_tax")
        open_task(browser, tax)
        assert "已备案" in page.locator("[data-opinion-text]").inner_text()

        # 延期: the tax clerk asks on the case page; the administrator decides (tax has no head).
        browser.open(f"/cases/{case.number}/")
        page.fill("[data-ask-extension] textarea[name=reason]", "需现场核查")
        submit(page, "[data-ask-extension] button")
        switch_user(browser, "admin")
        browser.open(f"/cases/{case.number}/")
        submit(page, "[data-decide-extension] button[value=approve]")
        assert page.locator("[data-extension='approved']").count() == 1
        assert Extension.objects.get(case=case).state == "approved"

        # 中止 / 恢复: the market head suspends the case, the tax clerk cannot complete meanwhile.
        switch_user(browser, "head_market")
        browser.open(f"/cases/{case.number}/")
        page.fill("[data-suspend] textarea[name=reason]", "等待法院裁定")
        submit(page, "[data-suspend] button")
        assert "等待法院裁定" in page.locator("[data-suspended]").inner_text()
        browser.screenshot("casework_suspended_case")
        switch_user(browser, "clerk_tax")
        open_task(browser, tax)
        assert page.locator("[data-suspended]").count() == 1 and page.locator("[data-complete]").count() == 0
        switch_user(browser, "head_market")
        browser.open(f"/cases/{case.number}/")
        submit(page, "[data-resume] button")
        assert page.locator("[data-suspended]").count() == 0

        # 抄送 and 终止: the front desk copies the case to HRSS, then records the withdrawal.
        switch_user(browser, "frontdesk")
        browser.open(f"/cases/{case.number}/")
        page.click("[data-case-copies] summary")
        page.check("[data-copy] input[name=departments][value=hrss]")
        submit(page, "[data-copy] button")
        assert Copy.objects.filter(case=case, recipient__username="clerk_hrss").exists()
        page.fill("[data-terminate] textarea[name=reason]", "申请人书面撤回")
        page.check("[data-terminate] input[name=applicant_withdrew]")
        submit(page, "[data-terminate] button")
        assert "申请人已撤回申请" in page.locator("[data-terminated]").inner_text()
        case.refresh_from_db()
        assert case.status == "cancelled" and case.result == "withdrawn"
        switch_user(browser, "clerk_hrss")
        assert page.locator("[data-badge='copies']").inner_text() == "1"
        browser.open("/copies/")
        with page.expect_navigation():
            page.click(f"[data-copy='{case.number}'] a")
        timeline = page.locator("[data-event]").evaluate_all("items => items.map(i => i.dataset.event.split(':')[0])")
        for kind in ("task_sent_back", "task_withdrawn", "task_urged", "task_delegated", "opinion_given",
                     "extension_approved", "case_suspended", "case_resumed", "case_copied", "case_terminated"):  # fmt: skip
            assert kind in timeline, kind

        # 不予受理: a new application refused at the window.
        fresh = start(reference)
        intake = WorkItem.objects.get(case=fresh, task_spec="intake", state="open")
        switch_user(browser, "frontdesk")
        open_task(browser, intake)
        submit(page, "[data-claim]")
        page.click("[data-refuse-panel] summary")
        page.fill("[data-refuse] textarea[name=reason]", "不属于本机关职权范围")
        submit(page, "[data-refuse] button")
        assert re.search(rf"/cases/{fresh.number}/$", page.url)
        fresh.refresh_from_db()
        assert fresh.result == "not_accepted"
        assert browser.errors == []


def test_the_casework_moves_on_the_construction_permit_through_the_pages(chromium, live_server, reference):
    ensure_demo_people(password=PASSWORD)
    item = ensure_construction_permit(password=PASSWORD)
    people = {u.username: u for u in get_user_model().objects.all()}
    case = do_start_case(version=item.process.latest_version(), service_item=item, applicant_name="韩梅梅")
    intake = WorkItem.objects.get(case=case, task_spec="intake", state="open")
    do_claim_task(intake.pk, acting_user=people["frontdesk"])
    do_complete_task(
        intake.pk, acting_user=people["frontdesk"], outcome="accept", data={"floor_area": 900, "has_basement": False}
    )
    review = WorkItem.objects.get(case=case, task_spec="housing_review", state="open")
    do_claim_task(review.pk, acting_user=people["clerk_housing"])
    do_complete_task(review.pk, acting_user=people["clerk_housing"], outcome="approve", data={})
    fire = WorkItem.objects.get(case=case, task_spec="fire_review", state="open")
    with Browser(live_server.url) as browser:
        page = browser.page
        page.on("dialog", lambda dialog: dialog.accept())

        # 退回 from inside the inclusive fan-out, to the permit review before it.
        browser.login("clerk_fire", PASSWORD)
        open_task(browser, fire)
        submit(page, "[data-claim]")
        page.click("[data-send-back-panel] summary")
        options = page.locator("[data-send-back] select[name=to_step] option").evaluate_all(
            "options => options.map(o => o.value)"
        )
        assert options == ["housing_review", "intake"]
        page.fill("[data-send-back] textarea[name=reason]", "防火间距不足")
        submit(page, "[data-send-back] button[type=submit]")
        open_items = set(WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True))
        assert open_items == {"housing_review"}

        # 转办 to a colleague, then 加签 to a person in the fire department.
        review = WorkItem.objects.get(case=case, task_spec="housing_review", state="open")
        switch_user(browser, "clerk_housing")
        open_task(browser, review)
        submit(page, "[data-claim]")
        page.click("[data-hand-over-panel] summary")
        page.select_option("[data-transfer] select[name=to_user]", str(people["clerk_housing_2"].pk))
        submit(page, "[data-transfer] button")
        assert WorkItem.objects.get(pk=review.pk).assignee.username == "clerk_housing_2"
        switch_user(browser, "clerk_housing_2")
        open_task(browser, review)
        page.click("[data-ask-opinion-panel] summary")
        page.select_option("[data-ask-opinion] select[name=person]", str(people["clerk_fire"].pk))
        page.fill("[data-ask-opinion] textarea[name=question]", "调整后的间距是否满足？")
        submit(page, "[data-ask-opinion] button[type=submit]")
        request = WorkItem.objects.get(case=case, asked_for=review)
        switch_user(browser, "clerk_fire")
        browser.open("/work/?tab=inbox")
        assert page.locator(f"tr[data-task='{request.pk}']").count() == 1
        open_task(browser, request)
        page.fill("[data-give-opinion] textarea[name=opinion]", "满足")
        submit(page, "[data-give-opinion] button")

        # 转办 to another department: offered to planning, whose head is missing; the admin accepts.
        switch_user(browser, "clerk_housing_2")
        open_task(browser, review)
        page.click("[data-hand-over-panel] summary")
        page.select_option("[data-transfer] select[name=to_department]", "planning")
        page.fill("[data-transfer] input[name=reason]", "属规划部门职责")
        submit(page, "[data-transfer] button")
        assert page.locator("[data-transfer-offered]").count() == 1
        switch_user(browser, "admin")
        open_task(browser, review)
        submit(page, "[data-decide-transfer] button[value=accept]")
        moved = WorkItem.objects.get(pk=review.pk)
        assert moved.department_id == "planning" and moved.assignee is None
        kinds = set(Event.objects.filter(case=case).values_list("kind", flat=True))
        assert {"task_sent_back", "task_transferred", "opinion_given", "transfer_offered"} <= kinds
        assert Case.objects.get(pk=case.pk).status == "running"
        assert browser.errors == []
