"""One language at a time: every page in English carries no Chinese, and in Chinese no English
sentence, apart from the names of people and enterprises (data, written as they were given) and
the language switch, where each language is named in its own."""

from __future__ import annotations

import re

import pytest

from engine.actions import do_claim_task, do_complete_task, do_start_case
from worklists.models import WorkItem

from .conftest import decision
from .test_access__matrix import APPLICATION, ROLES, rule_for, users, walk, world  # noqa: F401 (world: a fixture)

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+")
# An English sentence: two or more words of letters in a row (codes, numbers and keys are not).
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,'-]+[A-Za-z][a-z]*)+\b")
APPLICANT, ENTERPRISE = "王伟", "北京并联科技有限公司"
OPINION = "同意"  # what the clerks typed: data too
# What the access matrix's world typed in at intake (tests/test_access__matrix.py): data as well.
TYPED = tuple(value for value in APPLICATION.values() if not value.isascii())
# Each language named in its own, in the switch; the brand's letters.
ALWAYS = {"简体中文", "English"}
# Products named by their names in either language.
PRODUCTS = ("Camunda Modeler", "SpiffArena", "Camunda")


def visible(html: str) -> str:
    """The page's text and the attributes a person reads or hears (title, aria-label, placeholder)."""
    # Commands and keys (<code>, <kbd>) are in no language.
    html = re.sub(
        r"<script.*?</script>|<style.*?</style>|<!--.*?-->|<code>.*?</code>|<kbd>.*?</kbd>", " ", html, flags=re.S
    )
    attributes = " ".join(re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', html))
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()) + " " + attributes


def chinese_in(text: str) -> set[str]:
    for allowed in (APPLICANT, ENTERPRISE, OPINION, *TYPED, *ALWAYS):
        text = text.replace(allowed, " ")
    return set(CJK.findall(text))


def english_in(text: str) -> set[str]:
    for allowed in (*ALWAYS, *PRODUCTS):
        text = text.replace(allowed, " ")
    return set(ENGLISH.findall(text))


@pytest.fixture
def pages(reference, frontdesk, clerk_market, clerk_tax):
    """A case past market regulation with a tax review claimed, and the pages to read."""
    case = do_start_case(service_item=reference["item"], acting_user=frontdesk, applicant_name=APPLICANT,
                         enterprise_name=ENTERPRISE, applicant_id_number="11010519491231002X")  # fmt: skip
    for spec, user, outcome in (("intake", frontdesk, "accept"), ("market_review", clerk_market, "approve")):
        item = WorkItem.objects.get(case=case, task_spec=spec)
        do_claim_task(item.pk, acting_user=user)
        do_complete_task(
            item.pk, acting_user=user, outcome=outcome, data=decision(outcome, item.version.user_task(spec))
        )
    tax = WorkItem.objects.get(case=case, task_spec="tax_review")
    do_claim_task(tax.pk, acting_user=clerk_tax)
    return [
        (clerk_tax, "/work/"),
        (clerk_tax, "/work/?tab=inbox"),
        (clerk_tax, f"/tasks/{tax.pk}/"),
        (clerk_tax, f"/cases/{case.number}/"),
        (clerk_tax, "/cases/"),
        (frontdesk, "/intake/"),
    ]


def read(client, user, path: str, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return visible(response.content.decode())


def test_the_staff_s_pages_in_english_carry_no_chinese(client, pages):
    for user, path in pages:
        assert chinese_in(read(client, user, path, "en")) == set(), path


def test_the_staff_s_pages_in_chinese_carry_no_english_sentence(client, pages):
    for user, path in pages:
        assert english_in(read(client, user, path, "zh-hans")) == set(), path


def test_the_checks_see_a_string_of_the_other_language():
    """What the two tests above would catch: a bilingual heading left over in either language."""
    page = visible('<h1>工作台 <span class="en">Worklist</span></h1><p title="待签收 claimable">x</p>')
    assert chinese_in(page) == {"工作台", "待签收"}
    assert english_in(visible("<p>任务 <span>tasks I claimed</span></p>")) == {"tasks I claimed"}


def test_the_pages_in_chromium_in_each_language_with_screenshots(live_server, pages):
    """What a person sees: the worklist and the task page in headless Chromium, in English and in
    Chinese, switched with the menu's language switch; screenshots in tests/artifacts/."""
    from demo.seed import ensure_demo_people

    from .browser import Browser, require_browser

    require_browser()
    ensure_demo_people(password="i18n-test-password")
    task_path = next(path for _, path in pages if path.startswith("/tasks/"))
    with Browser(live_server.url) as browser:
        browser.login("clerk_tax", "i18n-test-password")
        for language, check in (("en", chinese_in), ("zh-hans", english_in)):
            browser.open("/work/")
            browser.page.select_option("select[name=language]", language)
            browser.page.wait_for_selector(f"html[lang='{language}']")
            for name, path in (("worklist", "/work/?tab=inbox"), ("task", task_path)):
                browser.open(path)
                browser.screenshot(f"i18n_{name}_{language}")
                shown = browser.page.evaluate("document.body.innerText")
                assert check(shown) == set(), (language, path)
        assert not browser.errors, browser.errors


def every_page(values: dict):
    """Each page of the access matrix that some role opens (200, an HTML page), with the first
    such role, and the pages it refuses with the project's own 403 page."""
    people = users()
    found = {}
    for route in walk():
        for check in rule_for(route) if isinstance(rule_for(route), list) else ():
            if check.method != "GET":
                continue
            for role in ROLES:
                if check.expected[role] in (200, 403) and people[role] is not None:
                    found.setdefault((check.path.format(**values), check.expected[role]), people[role])
    return [(user, path, status) for (path, status), user in found.items()]


def test_every_page_shows_one_language_at_a_time(client, world):  # noqa: F811 (the fixture)
    """Every page of the project (the access matrix's list: new pages come in with their rule),
    its refusals too, in English and in Chinese."""
    pages = every_page(world)
    assert len(pages) >= 25
    leaks = []
    for user, path, status in pages:
        for language, check in (("en", chinese_in), ("zh-hans", english_in)):
            client.force_login(user)
            client.cookies["django_language"] = language
            response = client.get(path)
            if response.status_code != status or "html" not in response.get("Content-Type", ""):
                continue
            found = check(visible(response.content.decode()))
            if found:
                leaks.append(f"{path} ({language}, {status}): {sorted(found)[:8]}")
    assert not leaks, "\n".join(leaks)
