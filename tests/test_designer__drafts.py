"""The modeler's server side: live validation is `manage.py lint` with the element of each
problem; drafts are saved by revision (a stale save is refused, not lost); imports go through the
same safe reading as every BPMN file; a new process starts from a blank pool. What the modeler's
server says is in the designer's language: Chinese by default, English when chosen."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from designer.actions import do_save_draft
from designer.models import Draft
from processes.actions import lint_bytes

from .conftest import FIXTURES


@pytest.fixture
def as_designer(designer) -> Client:
    client = Client()
    client.force_login(designer)
    return client


def post_json(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def without_outgoing_flow(xml: str, node: str) -> tuple[str, str]:
    """The XML with ``node``'s (first) outgoing sequence flow pointing back at ``node`` removed."""
    flow = re.search(rf'<bpmn:sequenceFlow id="([^"]+)" sourceRef="{node}" targetRef="[^"]+"', xml).group(1)
    return re.sub(rf'\s*<bpmn:sequenceFlow id="{flow}" [^>]*?(/>|>.*?</bpmn:sequenceFlow>)', "", xml, flags=re.S), flow


def test_live_validation_answers_what_lint_says_with_the_element_of_each_problem(reference, as_designer):
    xml = reference["parallel"].bpmn_xml
    valid = post_json(as_designer, "/designer/validate/", {"xml": xml}).json()
    assert valid == {"ok": True, "dialect": "camunda", "problems": []}

    broken, _ = without_outgoing_flow(xml, "tax_review")
    answer = post_json(as_designer, "/designer/validate/", {"xml": broken}).json()

    linted = lint_bytes(broken.encode(), "modeler.bpmn")
    assert answer["ok"] is False
    assert answer["problems"] == [{"line": p.line, "message": p.message, "element": p.element} for p in linted]
    assert any(p["element"] == "tax_review" and "是死路" in p["message"] for p in answer["problems"])


def test_live_validation_reports_unreadable_xml_by_line(reference, as_designer):
    answer = post_json(as_designer, "/designer/validate/", {"xml": "<bpmn:definitions>\n<oops"}).json()
    assert answer["ok"] is False and answer["problems"][0]["element"] is None
    assert "XML 格式错误" in answer["problems"][0]["message"]
    doctype = (FIXTURES / "broken" / "external_entity_passwd.bpmn").read_text()
    answer = post_json(as_designer, "/designer/validate/", {"xml": doctype}).json()
    assert "BPMN 文件中不允许有 DOCTYPE 声明" in answer["problems"][0]["message"]


def test_lint_refuses_a_promise_beyond_the_statutory_limit_and_names_the_task(reference):
    xml = reference["parallel"].bpmn_xml
    task = re.search(
        r'<bpmn:userTask id="([^"]+)"[^>]*>\s*<bpmn:extensionElements>(?:(?!</bpmn:userTask>).)*?'
        r'name="statutory_limit_working_days" value="(\d+)"',
        xml,
        flags=re.S,
    )
    task_id, statutory = task.group(1), int(task.group(2))
    start = xml.index(f'<bpmn:userTask id="{task_id}"')
    end = xml.index("</bpmn:userTask>", start)
    body = re.sub(
        r'name="promised_limit_working_days" value="\d+"',
        f'name="promised_limit_working_days" value="{statutory + 1}"',
        xml[start:end],
    )
    broken = (xml[:start] + body + xml[end:]).encode()
    problems = lint_bytes(broken, "promise.bpmn")
    assert [(p.element, p.message) for p in problems] == [
        (task_id, f"{task_id} 的承诺时限（{statutory + 1} 个工作日）超过了法定时限（{statutory} 个工作日）")
    ]
    assert problems[0].format("promise.bpmn").startswith(f"promise.bpmn:{problems[0].line}: {task_id} 的承诺时限")
    with translation.override("en"):
        problems = lint_bytes(broken, "promise.bpmn")
    assert [p.message for p in problems] == [
        f"promised limit of {task_id} ({statutory + 1} working days) exceeds its statutory limit ({statutory})"
    ]


def test_drafts_are_saved_by_revision_and_a_stale_save_is_refused(reference, as_designer, designer):
    xml = reference["parallel"].bpmn_xml
    created = post_json(as_designer, "/designer/drafts/", {"xml": xml, "based_on": reference["parallel"].pk})
    assert created.status_code == 201, created.json()
    draft = created.json()["draft"]
    assert (draft["revision"], draft["process_key"], draft["url"]) == (
        1,
        "business_registration",
        f"/designer/modeler/drafts/{draft['id']}/",
    )

    edited = xml.replace("并联审批 Parallel approval", "并联审批 Approval in parallel")
    saved = post_json(as_designer, f"/designer/drafts/{draft['id']}/", {"xml": edited, "revision": 1})
    stale = post_json(as_designer, f"/designer/drafts/{draft['id']}/", {"xml": xml, "revision": 1})

    assert saved.status_code == 200 and saved.json()["draft"]["revision"] == 2
    assert stale.status_code == 409 and stale.json()["draft"]["revision"] == 2
    assert (
        stale.json()["detail"].startswith("草稿已被 designer 于 ")
        and "（第 2 版），请重新打开后再改。" in stale.json()["detail"]
    )
    row = Draft.objects.get(pk=draft["id"])
    assert (row.revision, row.bpmn_xml, row.author, row.updated_by, row.based_on) == (
        2,
        edited,
        designer,
        designer,
        reference["parallel"],
    )
    page = as_designer.get(draft["url"])
    assert page.status_code == 200 and "Approval in parallel" in json.dumps(page.context["data"])


def test_a_draft_must_be_readable_bpmn(reference, as_designer):
    refused = post_json(
        as_designer, "/designer/drafts/", {"xml": (FIXTURES / "broken" / "billion_laughs.bpmn").read_text()}
    )
    assert refused.status_code == 400 and "DOCTYPE" in refused.json()["detail"]
    assert post_json(as_designer, "/designer/drafts/", {"xml": ""}).status_code == 400
    assert not Draft.objects.exists()


def test_importing_a_file_makes_a_draft_in_its_dialect_and_a_hostile_file_is_refused(reference, as_designer, settings):
    with (FIXTURES / "dialects" / "spiffarena.bpmn").open("rb") as upload:
        imported = as_designer.post("/designer/import/", {"file": upload})
    draft = Draft.objects.get()
    assert imported.status_code == 302 and imported.url == f"/designer/modeler/drafts/{draft.pk}/"
    assert (draft.filename, draft.process_key) == ("spiffarena.bpmn", "social_insurance_enrolment")
    assert 'data-dialect="spiff"' in as_designer.get(imported.url).content.decode()

    with (FIXTURES / "broken" / "external_entity_passwd.bpmn").open("rb") as upload:
        refused = as_designer.post("/designer/import/", {"file": upload})
    assert refused.status_code == 400
    assert "external_entity_passwd.bpmn:2: BPMN 文件中不允许有 DOCTYPE 声明" in refused.content.decode()
    assert "root:x:0:0" not in refused.content.decode()
    settings.BPMN_MAX_BYTES = 1000
    with (FIXTURES / "dialects" / "spiffarena.bpmn").open("rb") as upload:
        too_big = as_designer.post("/designer/import/", {"file": upload})
    assert too_big.status_code == 400 and "spiffarena.bpmn:1: 文件大小" in too_big.content.decode()
    assert "上限为 0.0 MB" in too_big.content.decode()
    with (FIXTURES / "dialects" / "spiffarena.bpmn").open("rb") as upload:
        too_big = as_designer.post("/designer/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "spiffarena.bpmn:1: the file is" in too_big.content.decode()
        and "the limit is 0.0 MB" in too_big.content.decode()
    )
    assert Draft.objects.count() == 1


def test_a_new_process_starts_as_a_pool_with_a_start_event_and_lint_says_what_is_missing(reference, as_designer):
    page = as_designer.get("/designer/modeler/")
    data = page.context["data"]
    assert page.status_code == 200 and data["draft"] is None and data["dialect"] == "camunda"
    assert "tax" in {d["code"] for d in data["departments"]}
    problems = lint_bytes(data["xml"].encode(), "new.bpmn")
    assert [(p.element, "是死路" in p.message) for p in problems] == [("start", True)]
    saved = do_save_draft(data["xml"], acting_user=None)
    assert saved.process_key.startswith("new_process_") and saved.name == "新流程"
    assert 'name="申请提交"' in data["xml"] and page.context["title"] == "新流程"


def test_a_new_process_takes_its_first_names_in_the_designer_s_language(reference, designer):
    """The names a blank process starts with are the designer's to change: in the language they work in."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(designer)
    page = client.get("/designer/modeler/")
    xml = page.context["data"]["xml"]
    assert 'name="New process"' in xml and 'name="Application submitted"' in xml
    assert do_save_draft(xml, acting_user=None).name == "New process"
    assert "<title>New process · Process design" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "zh-hans",
            {
                "anonymous": "请先登录。",
                "get": "只接受 POST。",
                "not_json": "请求不是 JSON。",
                "no_xml": '缺少流程 XML：请发送 {"xml": "<bpmn:definitions …>"}。',
                "revision": "based_on 应为整数。",
                "no_draft": "没有草稿 999。",
                "problems": "流程有问题，未保存：第 1 行：",
                "deployed": "已部署为 business_registration 第 3 版，新办件按此版本办理。",
                "unchanged": "未改动：business_registration 第 3 版已是这份文件。",
                "choose": "请选择一个 .bpmn 文件。",
            },
        ),
        (
            "en",
            {
                "anonymous": "Log in first.",
                "get": "Only POST is accepted here.",
                "not_json": "The request body is not JSON.",
                "no_xml": 'The process XML is missing: send {"xml": "<bpmn:definitions …>"}.',
                "revision": "based_on must be a whole number.",
                "no_draft": "There is no draft 999.",
                "problems": "The process has problems, nothing was stored: line 1: ",
                "deployed": "Deployed as business_registration version 3; new cases start on it.",
                "unchanged": "Unchanged: business_registration version 3 already has this file.",
                "choose": "Choose a .bpmn file.",
            },
        ),
    ],
)
def test_the_modeler_s_server_answers_in_the_designer_s_language(reference, designer, language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    said = {"anonymous": client.post("/designer/validate/").json()["detail"]}
    client.force_login(designer)
    said["get"] = client.get("/designer/validate/").json()["detail"]
    said["not_json"] = client.post("/designer/validate/", "{", content_type="application/json").json()["detail"]
    said["no_xml"] = post_json(client, "/designer/validate/", {}).json()["detail"]
    xml = reference["parallel"].bpmn_xml
    said["revision"] = post_json(client, "/designer/drafts/", {"xml": xml, "based_on": "v2"}).json()["detail"]
    said["no_draft"] = post_json(client, "/designer/drafts/999/", {"xml": xml, "revision": 1}).json()["detail"]
    said["problems"] = post_json(client, "/designer/deploy/", {"xml": "<bpmn:definitions>\n<oops"}).json()["detail"]
    changed = xml.replace(
        'name="promised_limit_working_days" value="1"', 'name="promised_limit_working_days" value="2"', 1
    )
    said["deployed"] = post_json(client, "/designer/deploy/", {"xml": changed}).json()["message"]
    said["unchanged"] = post_json(client, "/designer/deploy/", {"xml": changed}).json()["message"]
    said["choose"] = client.post("/designer/import/").context["import_problems"][0]
    for key, expected in words.items():
        assert said[key].startswith(expected), (key, said[key])
