"""The process designer changes the reference process in the browser, without code, and the
change reaches a department's queue: in headless Chromium, the designer opens business
registration (v2) in the modeler, adds a lane for a department with a review in parallel (between
the fork and the join), sees live validation mark the unfinished review, sets the lane's
department and the review's limits in the properties panel, and deploys version 3. A case
started through the API then reaches the new department's queue page.

The diagram edits that need pixel precision (a new lane, a task at a place, two flows) go through
bpmn-js's modeling API; what a designer types or picks goes through the properties panel.

The modeler speaks the page's language: Chinese by default, English once the designer picks it in
the menu; bpmn-js's palette, menus and properties panel and Binglian's own entries alike."""

from __future__ import annotations

import re

import pytest

from demo.seed import ensure_demo_people
from designer.models import Draft
from engine.actions import do_complete_task
from processes.models import ProcessVersion
from tests.browser import Browser
from worklists.models import Department, StaffMember, WorkItem
from worklists.people import do_create_staff

from .modeler_page import modeler_ready, needs_bundle, wait_for_validation
from .test_api__cases import private_materials, take_in  # noqa: F401 - fixture

PASSWORD = "designer-test-password"
NEW_TASK = "env_review"
# Outcomes that move a case on; the test does not depend on which tasks come before the fork.
MOVING_ON = ("accept", "approve", "pass", "resubmitted")
VIEWPORT = {"width": 1600, "height": 1000}  # a designer's screen: the whole reference process readable

ADD_LANE_AND_REVIEW = """() => {
  const modeler = window.binglianModeler;
  const registry = modeler.get('elementRegistry');
  const modeling = modeler.get('modeling');
  const participant = registry.filter((e) => e.type === 'bpmn:Participant')[0];
  const lane = modeling.addLane(participant, 'bottom');
  modeling.updateLabel(lane, '环保 Environment');
  const fork = registry.get('fork');
  const join = registry.get('join');
  const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
  const task = modeling.createShape(shape, { x: (fork.x + join.x) / 2, y: lane.y + lane.height / 2 }, participant);
  modeling.updateProperties(task, { id: 'env_review', name: '环评审查 Environmental review' });
  modeling.connect(fork, task);
  modeler.get('canvas').zoom('fit-viewport');
  return lane.id;
}"""
CONNECT_TO_JOIN = """() => {
  const registry = window.binglianModeler.get('elementRegistry');
  window.binglianModeler.get('modeling').connect(registry.get('env_review'), registry.get('join'));
}"""


# Every element of the diagram selected, its properties' groups opened, its context pad and its
# menu to change it shown: what bpmn-js and the properties panel ask to translate on the way.
WALK_THE_MENUS = """async () => {
  const modeler = window.binglianModeler;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  for (const element of modeler.get('elementRegistry').getAll()) {
    if (element.type === 'label') continue;
    modeler.get('selection').select(element);
    await pause();
    document.querySelectorAll('.bio-properties-panel-group-header:not(.open)').forEach((header) => header.click());
    await pause();
    modeler.get('contextPad').open(element, true);
    modeler.get('popupMenu').open(element, 'bpmn-replace', { x: 100, y: 100 }, { search: true });
    await pause();
    modeler.get('popupMenu').close();
  }
  modeler.get('selection').select([]);
  return [ ...window.binglianUntranslated ];
}"""
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def modeler_words(page, task: str) -> dict:
    """What the designer reads around the diagram: the palette, the status, and the properties
    panel of ``task`` (selected), with the properties' labels (names written in the diagram aside)."""
    page.evaluate(
        "(id) => { const m = window.binglianModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
        task,
    )
    page.wait_for_selector("[data-group-id='group-binglian-task']")
    panel = page.locator("#modeler-properties")
    return {
        "palette": page.locator(".djs-palette [data-action='create.task']").get_attribute("aria-label"),
        "status": page.locator("[data-validation-status]").inner_text(),
        "groups": panel.locator(".bio-properties-panel-group-header-title").all_inner_texts(),
        "labels": panel.locator(".bio-properties-panel-label").all_inner_texts(),
        "type": panel.locator(".bio-properties-panel-header-type").text_content(),
        "page": page.locator("#modeler .bl-head").inner_text(),
    }


def move_case_to_the_fork(number: str) -> None:
    """Work the case's open tasks with an outcome that moves it on, until the new review opens."""
    for _ in range(10):
        items = list(WorkItem.objects.filter(case__number=number, state="open").select_related("version"))
        if any(item.task_spec == NEW_TASK for item in items):
            return
        for item in items:
            outcomes = item.version.user_task(item.task_spec).get("outcomes") or []
            outcome = next((o for o in MOVING_ON if o in outcomes), outcomes[0] if outcomes else "")
            do_complete_task(item.pk, outcome=outcome)
    raise AssertionError(f"the case never reached {NEW_TASK}")


@pytest.fixture
def environment_clerk(reference):
    Department.objects.create(code="environment", name="环保", name_en="Environment")
    return do_create_staff("clerk_env", role=StaffMember.Role.CLERK, department="environment", password=PASSWORD)


def test_a_designer_adds_a_department_in_parallel_and_its_queue_gets_the_new_task(
    live_server, reference, environment_clerk, frontdesk
):
    needs_bundle()
    ensure_demo_people(password=PASSWORD)
    original = reference["parallel"]
    with Browser(live_server.url, viewport=VIEWPORT) as browser:
        page = browser.page
        browser.login("designer", PASSWORD)
        assert page.url.endswith("/designer/"), "designers start on their workbench"
        browser.screenshot("designer_workbench")
        # A new process is a pool with a start event that leads nowhere yet, and the page says so.
        with page.expect_navigation():
            page.click("[data-new-process]")
        modeler_ready(page)
        assert page.locator("#modeler").get_attribute("data-state") == "problems"
        assert page.locator(".djs-element.bl-problem[data-element-id='start']").count() == 1
        page.go_back()
        with page.expect_navigation():
            page.click(f"[data-open-version='{original.pk}']")
        modeler_ready(page)
        wait_for_validation(page, "ok")  # the deployed version passes the same checks as lint
        browser.screenshot("designer_modeler_reference")

        lane_id = page.evaluate(ADD_LANE_AND_REVIEW)
        # Live validation: the new review leads nowhere yet, and the diagram says so on it.
        wait_for_validation(page, "problems")
        page.wait_for_selector(f".djs-element.bl-problem[data-element-id='{NEW_TASK}']")
        problems = page.locator(f"[data-problem][data-element='{NEW_TASK}']").all_inner_texts()
        assert any("是死路" in text for text in problems), problems
        browser.screenshot("designer_live_validation")
        page.evaluate(CONNECT_TO_JOIN)
        wait_for_validation(page, "ok")
        assert page.locator(".djs-element.bl-problem").count() == 0

        # The lane's department, picked in the properties panel.
        box = page.locator(f".djs-element[data-element-id='{lane_id}']").bounding_box()
        page.mouse.click(box["x"] + box["width"] - 60, box["y"] + box["height"] / 2)  # an empty part of the lane
        department = page.locator("#bio-properties-panel-binglian-department")
        department.select_option("environment")
        wait_for_validation(page, "ok")
        # The review's limits and outcomes, typed in the properties panel.
        page.locator(f".djs-element[data-element-id='{NEW_TASK}']").click()
        page.fill("#bio-properties-panel-binglian-promised-limit", "7")
        page.fill("#bio-properties-panel-binglian-statutory-limit", "5")  # shorter than the promise: refused
        assert (
            "不得超过"
            in page.locator("[data-entry-id='binglian-statutory-limit'] .bio-properties-panel-error").inner_text()
        )
        page.fill("#bio-properties-panel-binglian-promised-limit", "2")
        page.fill("#bio-properties-panel-binglian-statutory-limit", "10")
        page.fill("#bio-properties-panel-binglian-outcomes", "approve, reject")
        page.locator("#bio-properties-panel-binglian-outcomes").blur()
        wait_for_validation(page, "ok")
        browser.screenshot("designer_properties_panel")

        page.click("[data-deploy]")
        page.wait_for_selector("[data-result][data-kind='success']")
        browser.screenshot("designer_deployed")
        assert "第 3 版" in page.locator("[data-result]").inner_text()

        version = ProcessVersion.objects.get(definition__key=original.definition.key, number=3)
        review = version.user_task(NEW_TASK)
        assert (
            review["department"],
            review["lane"],
            review["promised_limit_working_days"],
            review["statutory_limit_working_days"],
            review["outcomes"],
        ) == ("environment", lane_id, 2, 10, ["approve", "reject"])
        assert version.dialect == original.dialect == "camunda" and version.deployed_by.username == "designer"
        assert original.elements["user_tasks"].keys() < version.elements["user_tasks"].keys()
        assert not Draft.objects.exists(), "deploying does not need a draft"

        # A case on the new version reaches the new department's queue page.
        number = take_in(reference, frontdesk)
        move_case_to_the_fork(number)
        item = WorkItem.objects.get(case__number=number, task_spec=NEW_TASK)
        assert (item.version_id, item.department_id, item.limit_working_days) == (version.pk, "environment", 2)
        with page.expect_navigation():
            page.click("header form[action='/logout/'] button")
        browser.login("clerk_env", PASSWORD)
        assert page.url.endswith("/work/")
        row = page.locator(f"tr[data-case='{number}']")
        assert row.count() == 1 and "环评审查" in row.inner_text()
        browser.screenshot("designer_new_task_in_queue")
        assert browser.errors == []


def test_the_modeler_speaks_chinese_by_default_and_english_once_chosen(live_server, reference):
    needs_bundle()
    ensure_demo_people(password=PASSWORD)
    version = reference["parallel"]
    with Browser(live_server.url, viewport=VIEWPORT) as browser:
        page = browser.page
        browser.login("designer", PASSWORD)
        browser.open(f"/designer/modeler/versions/{version.pk}/")
        modeler_ready(page)
        wait_for_validation(page, "ok")
        chinese = modeler_words(page, "market_review")
        browser.screenshot("designer_modeler_zh_hans")
        assert chinese["palette"] == "创建任务" and chinese["status"] == "校验通过"
        assert chinese["type"] == "用户任务"
        assert {"常规", "并联：时限与办理", "并联：办结与证照", "表单字段"} <= set(chinese["groups"])
        assert {"名称", "编号", "承诺时限（工作日）", "法定时限（工作日）", "办理结果", "可退回至"} <= set(
            chinese["labels"]
        )
        # Nothing the modeler asks to translate is missing from the dictionary (zh_hans.js).
        assert page.evaluate(WALK_THE_MENUS) == []

        page.select_option("select[name=language]", "en")
        page.wait_for_selector("html[lang='en']")
        browser.open(f"/designer/modeler/versions/{version.pk}/")
        modeler_ready(page)
        wait_for_validation(page, "ok")
        english = modeler_words(page, "market_review")
        browser.screenshot("designer_modeler_en")
        assert english["palette"] == "Create task" and english["status"] == "Valid"
        assert english["type"] == "User Task"
        assert {"General", "Binglian: limits and handling", "Binglian: results and licences", "Form fields"} <= set(
            english["groups"]
        )
        assert {
            "Name",
            "ID",
            "Promised limit (working days)",
            "Statutory limit (working days)",
            "Outcomes",
            "May send back to",
        } <= set(english["labels"])
        words = [english["palette"], english["status"], english["type"], *english["groups"], *english["labels"]]
        assert not [word for word in words if CJK.search(word)], words
        assert not CJK.search(english["page"]), english["page"]  # the heading names the version by its key
        page.click("[data-save]")
        page.wait_for_selector("[data-result][data-kind='success']")
        assert page.locator("[data-result]").inner_text() == "Draft saved (revision 1)."
        assert page.locator("[data-draft-label]").inner_text().startswith("draft ")
        assert browser.errors == []
