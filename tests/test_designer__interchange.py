"""Files from Camunda Modeler and from SpiffArena keep working through the browser: import,
edit in the properties panel, save a draft, deploy. The dialect is kept (the same SpiffWorkflow
parser runs the version), every extension the other tool wrote survives, a new property is
written in the file's own dialect, and the deployed version reads exactly as the original
except for what the designer changed."""

from __future__ import annotations

import pytest

from demo.seed import ensure_demo_people
from designer.models import Draft
from processes.bpmn_file import executable_processes, read_bpmn
from processes.elements import describe_process
from tests.browser import Browser

from .conftest import FIXTURES
from .modeler_page import modeler_ready, needs_bundle, wait_for_validation

PASSWORD = "interchange-test-password"
VIEWPORT = {"width": 1600, "height": 1000}


def elements_of(xml: bytes) -> dict:
    return without_lines(describe_process(executable_processes(read_bpmn(xml, "file.bpmn").root)[0]))


def without_lines(value):
    """Line numbers move when a tool rewrites a file; what the engine reads must not."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def set_property(expected: dict, task: str, name: str, value: int) -> None:
    expected["user_tasks"][task][name] = value
    expected["user_tasks"][task]["properties"][name] = str(value)


def import_file(browser, path) -> Draft:
    page = browser.page
    page.goto(browser.url("/designer/"))
    page.set_input_files("[data-import-form] input[name=file]", str(path))
    with page.expect_navigation():
        page.click("[data-import-form] button[type=submit]")
    modeler_ready(page)
    wait_for_validation(page, "ok")
    return Draft.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))


def select(page, element_id: str) -> None:
    page.locator(f".djs-element[data-element-id='{element_id}']").click()
    page.wait_for_function(
        f"() => (document.querySelector('#bio-properties-panel-id') || {{}}).value === '{element_id}'"
    )


def type_into(page, entry: str, value: str) -> None:
    field = page.locator(f"#bio-properties-panel-{entry}")
    field.fill(value)
    field.blur()


def save_and_deploy(browser, name: str):
    page = browser.page
    page.click("[data-save]")
    page.wait_for_selector("[data-result][data-kind='success']:has-text('草稿已保存（第 2 版）。')")
    page.click("[data-deploy]")
    page.wait_for_selector("[data-result][data-kind='success']:has-text('已部署为')")
    browser.screenshot(f"designer_interchange_{name}")


@pytest.fixture
def designer_browser(live_server, reference):
    needs_bundle()
    ensure_demo_people(password=PASSWORD)
    with Browser(live_server.url, viewport=VIEWPORT) as browser:
        browser.login("designer", PASSWORD)
        yield browser
        assert browser.errors == []


def test_a_camunda_modeler_file_keeps_its_dialect_and_extensions_through_the_modeler(designer_browser):
    path = FIXTURES / "dialects" / "camunda_modeler.bpmn"
    page = designer_browser.page
    draft = import_file(designer_browser, path)
    assert (draft.filename, draft.process_key, draft.revision) == ("camunda_modeler.bpmn", "change_registration", 1)
    assert page.locator("#modeler").get_attribute("data-dialect") == "camunda"

    select(page, "tax_review")
    type_into(page, "binglian-statutory-limit", "8")
    page.click("[data-group-id='group-binglian-form-fields'] .bio-properties-panel-add-entry")
    type_into(page, "binglian-form-field-0-id", "invoice_count")
    type_into(page, "binglian-form-field-0-label", "发票数量 Invoice count")
    page.select_option("#bio-properties-panel-binglian-form-field-0-type", "long")
    page.check("#bio-properties-panel-binglian-form-field-0-required")
    # Handing over the licence issues it and concludes the case (the results it has in the engine).
    select(page, "hand_over")
    page.click("[data-group-id='group-binglian-results'] .bio-properties-panel-group-header")
    type_into(page, "binglian-issues", "business_licence, passport")
    assert (
        "没有这种证照：passport"
        in page.locator("[data-entry-id='binglian-issues'] .bio-properties-panel-error").inner_text()
    )
    type_into(page, "binglian-issues", "business_licence")
    page.check("#bio-properties-panel-binglian-concludes")
    wait_for_validation(page, "ok")
    save_and_deploy(designer_browser, "camunda")

    draft.refresh_from_db()
    version = draft.deployed_as
    assert (version.dialect, version.filename, draft.revision) == ("camunda", "camunda_modeler.bpmn", 2)
    expected = elements_of(path.read_bytes())
    set_property(expected, "tax_review", "statutory_limit_working_days", 8)
    expected["user_tasks"]["hand_over"]["properties"].update(issues="business_licence", concludes="true")
    expected["effects"]["hand_over"] = {"issues": ["business_licence"], "revokes": [], "concludes": True}
    expected["user_tasks"]["tax_review"]["form_fields"] = [
        {
            "id": "invoice_count",
            "label": "发票数量 Invoice count",
            "type": "long",
            "default": None,
            "required": True,
            "values": [],
        }
    ]
    assert without_lines(version.elements) == expected
    # What Binglian does not read is kept too: Camunda's attributes and the modeler's namespace.
    for kept in (
        'camunda:historyTimeToLive="180"',
        'camunda:formKey="embedded:app:forms/intake.html"',
        'camunda:dueDate="${dateTime().plusDays(5).toDate()}"',
        'modeler:executionPlatform="Camunda Platform"',
        '<camunda:property name="statutory_limit_working_days" value="8" />',
    ):
        assert kept in version.bpmn_xml, kept
    assert "spiffworkflow" not in version.bpmn_xml


def test_a_spiffarena_file_keeps_its_dialect_and_extensions_through_the_modeler(designer_browser):
    path = FIXTURES / "dialects" / "spiffarena.bpmn"
    page = designer_browser.page
    draft = import_file(designer_browser, path)
    assert page.locator("#modeler").get_attribute("data-dialect") == "spiff"

    select(page, "hrss_review")
    type_into(page, "binglian-promised-limit", "4")
    select(page, "intake")
    type_into(page, "binglian-statutory-limit", "3")
    wait_for_validation(page, "ok")
    save_and_deploy(designer_browser, "spiffarena")

    draft.refresh_from_db()
    version = draft.deployed_as
    assert version.dialect == "spiff"
    expected = elements_of(path.read_bytes())
    set_property(expected, "hrss_review", "promised_limit_working_days", 4)
    set_property(expected, "intake", "statutory_limit_working_days", 3)
    assert without_lines(version.elements) == expected
    source = path.read_text()
    for kept in (
        "<spiffworkflow:preScript>intake_opened = True</spiffworkflow:preScript>",
        "<spiffworkflow:postScript>rate = 12 if urgent else 10</spiffworkflow:postScript>",
        "<spiffworkflow:instructionsForEndUser>Check the applicant's identity and the employee list.</spiffworkflow:instructionsForEndUser>",
        '<spiffworkflow:property name="statutory_limit_working_days" value="3" />',
        '<spiffworkflow:property name="promised_limit_working_days" value="4" />',
        '<spiffworkflow:property name="department" value="hrss" />',
    ):
        assert kept in version.bpmn_xml, kept
    assert "camunda:" not in version.bpmn_xml and "camunda:" not in source
