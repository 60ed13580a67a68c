"""The diff between the reference process's two versions, drawn in a real browser (Debian's
Chromium): the serial v1 on the left, the parallel v2 on the right, each step coloured by what
happened to it; a row of the table, clicked, marks that step on the diagram."""

from __future__ import annotations

from demo.seed import ensure_demo_people
from tests.browser import Browser, require_browser

PASSWORD = "versions-test-password"
MARKED = """(side) => Array.from(document.querySelectorAll(`#diagram-${side} .djs-element[class*="diff-"]`))
  .map((e) => [e.getAttribute('data-element-id'), Array.from(e.classList).filter((c) => c.startsWith('diff-')).join(' ')])"""


def test_the_diff_colours_both_diagrams_and_a_row_marks_its_step(live_server, reference):
    require_browser()
    ensure_demo_people(password=PASSWORD)
    with Browser(live_server.url, viewport={"width": 1600, "height": 1000}) as browser:
        page = browser.page
        browser.login("designer", PASSWORD)
        browser.open("/designer/processes/business_registration/diff/?from=1&to=2")
        page.wait_for_selector("#diagram-old[data-rendered='1']")
        page.wait_for_selector("#diagram-new[data-rendered='1']")
        old, new = dict(page.evaluate(MARKED, "old")), dict(page.evaluate(MARKED, "new"))
        # v2 adds the parallel split and join; the departments' reviews now come from the fork.
        assert new["fork"] == "diff-added" and new["join"] == "diff-added"
        assert new["tax_review"] == "diff-changed" and old["tax_review"] == "diff-changed"
        assert int(page.get_attribute("#diagram-new", "data-marked")) == len(new)
        browser.screenshot("versions_diff", full_page=True)

        page.click("tr[data-new='fork']")
        page.wait_for_selector("#diagram-new .djs-element.diff-selected[data-element-id='fork']")
        assert not browser.errors, browser.errors
