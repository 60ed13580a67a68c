"""One business registration from the window to the end, in headless Chromium, through the pages:
the front desk takes it in with real PDF files, each department's clerk finds the task in their
queue, claims it and decides; the bank and the applicant's rating arrive as messages from other
systems; the case page's diagram marks where the case is, and its timeline shows every step."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from demo.seed import ensure_demo_people
from engine.actions import do_deliver_message
from engine.models import Case, Event
from tests.applications import APPLICATION
from tests.browser import Browser, require_browser
from worklists.models import Material, WorkItem

PASSWORD = "pages-test-password"
REVIEWS = [
    ("clerk_police", "police_review"),
    ("clerk_tax", "tax_review"),
    ("clerk_hrss", "hrss_review"),
    ("clerk_fund", "fund_review"),
]


def small_pdf(title: str) -> bytes:
    """A real one-page PDF (catalog, pages, page, a text stream, xref table), a few hundred bytes."""
    text = f"BT /F1 18 Tf 40 120 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture
def chromium():
    require_browser()


@pytest.fixture
def materials(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    cache.clear()
    files = []
    for index in range(4):
        path = tmp_path / f"material-{index}.pdf"
        path.write_bytes(small_pdf(f"Binglian material {index}"))
        files.append(path)
    return files


def switch_user(browser, username: str) -> None:
    """Log out through the menu, then log in as someone else (the login page's first submit
    button would otherwise be the menu's log-out button)."""
    if browser.page.locator("header form[action='/logout/'] button").count():
        with browser.page.expect_navigation():
            browser.page.click("header form[action='/logout/'] button")
    browser.login(username, PASSWORD)


def work_the_task(
    browser, username: str, number: str, spec: str, *, opinion: str, keyboard: bool = False, before_deciding=None
):
    """Log in, find the case's task in the department queue, claim it, and approve it."""
    page = browser.page
    switch_user(browser, username)
    assert page.url.endswith("/work/"), f"{username} should start on the worklist, not {page.url}"
    row = page.locator(f"tr[data-case='{number}']")
    assert row.count() == 1, f"{username} does not see {number} in the queue"
    if keyboard:  # j focuses the first row, c claims it
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.matches('[data-row]')")
        with page.expect_navigation():
            page.keyboard.press("c")
    else:
        with page.expect_navigation():
            row.locator("[data-claim]").click()
    assert re.search(r"/tasks/\d+/$", page.url), page.url
    assert page.locator("[data-message='success']").first.inner_text().startswith("已签收")
    task_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert WorkItem.objects.get(pk=task_id).task_spec == spec
    if before_deciding:
        before_deciding(task_id)
    page.fill("textarea[name='data-opinion']", opinion)
    if before_deciding:
        browser.screenshot("task_page")
    if keyboard:
        page.locator("textarea[name='data-opinion']").blur()
        with page.expect_navigation():
            page.keyboard.press("a")
    else:
        with page.expect_navigation():
            page.click("[data-outcome='approve']")
    assert page.url.endswith("/work/?tab=inbox"), page.url
    assert page.locator("[data-message='success']").first.inner_text().startswith("已办结")
    item = WorkItem.objects.get(pk=task_id)
    assert (item.state, item.outcome, item.completed_by.username) == ("completed", "approve", username)


def test_a_business_registration_goes_from_the_window_to_the_end_through_the_pages(
    chromium, live_server, reference, materials
):
    ensure_demo_people(password=PASSWORD)
    with Browser(live_server.url) as browser:
        page = browser.page

        # 一窗受理: the front desk starts on the intake page.
        browser.login("frontdesk", PASSWORD)
        assert page.url.endswith("/intake/")
        for name, value in APPLICATION.items():
            page.fill(f"[name='{name}']", value)
        for index, path in enumerate(materials):
            page.set_input_files(f"input[name='material_{index}']", str(path))
        browser.screenshot("intake", full_page=True)
        with page.expect_navigation():
            page.click("[data-submit]")
        case = Case.objects.get()
        assert page.url.endswith(f"/cases/{case.number}/")
        assert f"办件编号 {case.number}" in page.locator("[data-message='success']").inner_text()
        assert Material.objects.filter(case=case).count() == 4

        # The intake task waits in the front desk's own queue: accept it there.
        page.goto(browser.url("/work/"))
        work_the_task_as_front_desk(browser, case.number)

        work_the_task(browser, "clerk_market", case.number, "market_review", opinion="材料齐全，准予登记")

        def screenshot_inbox(task_id):
            page.goto(browser.url("/work/?tab=inbox"))
            assert page.locator(f"tr[data-task='{task_id}']").count() == 1
            assert page.locator("[data-badge='inbox']").inner_text() == "1"
            browser.screenshot("worklist_inbox")
            page.goto(browser.url(f"/tasks/{task_id}/"))

        def screenshot_case_page(task_id):
            # Mid-case: the parallel reviews are open, the diagram marks them as current.
            page.goto(browser.url(f"/cases/{case.number}/"))
            page.wait_for_selector("#case-diagram[data-rendered='1']")
            current = page.locator(".djs-element.current[data-element-id='tax_review']")
            assert current.count() == 1
            assert page.locator(".djs-element.done[data-element-id='market_review']").count() == 1
            assert page.locator(".djs-element.current[data-element-id='hrss_review']").count() == 1
            assert page.locator(".djs-element.done[data-element-id='police_review']").count() == 1
            assert "110105********002X" in page.locator("[data-identity]").inner_text()  # masked for tax
            browser.screenshot("case_page")
            browser.screenshot("case_page_full", full_page=True)
            before = current.bounding_box()["width"]
            page.click("[data-zoom='current']")  # the open steps, closer
            assert current.bounding_box()["width"] > 1.5 * before
            browser.screenshot("case_page_current")
            page.goto(browser.url(f"/tasks/{task_id}/"))

        for username, spec in REVIEWS:
            hooks = {"clerk_tax": lambda task_id: (screenshot_inbox(task_id), screenshot_case_page(task_id))}
            work_the_task(
                browser,
                username,
                case.number,
                spec,
                opinion=f"{spec} 同意",
                keyboard=username == "clerk_hrss",
                before_deciding=hooks.get(username),
            )

        # The bank's system and the applicant's rating arrive as messages (another system's job).
        do_deliver_message(case.number, "bank_account_opened", payload={"account": "6222 0000 0000"})
        do_deliver_message(case.number, "service_rated", payload={"rating": 5})
        case.refresh_from_db()
        assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"

        switch_user(browser, "supervisor")
        page.goto(browser.url(f"/cases/{case.number}/"))
        page.wait_for_selector("#case-diagram[data-rendered='1']")
        # How it ended, and whether on time: the licences were issued within the limit.
        status = page.locator("[data-case-status]").inner_text()
        assert status.startswith("准予许可") and "按时办结" in status, status
        timeline = page.locator("[data-event]").evaluate_all("items => items.map(i => i.dataset.event)")
        assert timeline == [f"{e.kind}:{e.activity}" for e in Event.objects.filter(case=case).order_by("id")]
        for step in (
            "case_started:",
            "task_completed:intake",
            "task_completed:market_review",
            "message_received:bank_account_opened",
            "message_received:service_rated",
            "case_ended:end_issued",
            *[f"task_completed:{spec}" for _, spec in REVIEWS],
        ):
            assert step in timeline, step
        assert page.locator(".djs-element.current").count() == 0
        assert page.locator(".djs-element.done[data-element-id='end_issued']").count() == 1
        browser.screenshot("case_page_done")
        assert browser.errors == []


def work_the_task_as_front_desk(browser, number: str) -> None:
    page = browser.page
    row = page.locator(f"tr[data-case='{number}']")
    assert row.count() == 1
    with page.expect_navigation():
        row.locator("[data-claim]").click()
    with page.expect_navigation():
        page.click("[data-outcome='accept']")
    assert page.url.endswith("/work/?tab=inbox")
