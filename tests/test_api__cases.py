"""The REST API, cases: one business registration driven entirely through /api/v1/, its timeline,
and intake refusing bad input with nothing half-saved.

The helpers here (clients with tokens, a real small PDF, an application) are shared by the other
tests/test_api__*.py modules."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from engine.models import Case, Event
from tests.applications import APPLICATION
from worklists.models import Material, WorkItem

GOOD = {"service_item": "business_registration", **APPLICATION}
DEPARTMENT_REVIEWS = {
    "police": "police_review",
    "tax": "tax_review",
    "hrss": "hrss_review",
    "housing_fund": "fund_review",
}


def small_pdf(title: str) -> bytes:
    """A real one-page PDF (catalog, pages, page, content stream, xref table), a few hundred bytes."""
    stream = f"BT /F1 12 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_upload(name: str) -> io.BytesIO:
    upload = io.BytesIO(small_pdf(name))
    upload.name = name
    return upload


def application(item, *, key=None, **changes) -> dict:
    """A complete multipart intake: the data and one PDF per material the service item lists."""
    files = {f"material_{i}": pdf_upload(f"material-{i}.pdf") for i, _ in enumerate(item.materials)}
    return {**GOOD, "intake_key": str(key or uuid.uuid4()), **files, **changes}


def client_for(user) -> APIClient:
    """A client that authenticates as a real API client does: with the user's token."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def take_in(reference, frontdesk) -> str:
    response = client_for(frontdesk).post("/api/v1/cases/", application(reference["item"]), format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()["number"]


def open_task_id(client, department: str, number: str, task_spec: str) -> int:
    response = client.get(f"/api/v1/departments/{department}/queue/", {"case": number})
    assert response.status_code == 200, response.json()
    [row] = [r for r in response.json()["results"] if r["task_spec"] == task_spec]
    return row["id"]


def work(client, department: str, number: str, task_spec: str, outcome: str, data=None) -> dict:
    """What a clerk does: find the task in the department queue, claim it, complete it."""
    task_id = open_task_id(client, department, number, task_spec)
    assert client.post(f"/api/v1/tasks/{task_id}/claim/").status_code == 200
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete/", {"outcome": outcome, "data": data or {}}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture(autouse=True)
def private_materials(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    return settings.MATERIALS_ROOT


@pytest.fixture
def bank_client(reference):
    """The bank's system: an API client user with a token and the message permission, made by the
    management command an administrator runs."""
    out = io.StringIO()
    call_command("api_token", "bank_system", "--create", "--deliver-messages", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    return client


# The whole case --------------------------------------------------------------------------------


def test_a_business_registration_runs_end_to_end_through_the_api(
    reference, frontdesk, clerk_market, clerk_police, clerk_tax, clerk_hrss, clerk_fund, bank_client, private_materials
):
    desk, market = client_for(frontdesk), client_for(clerk_market)
    number = take_in(reference, frontdesk)
    case = desk.get(f"/api/v1/cases/{number}/").json()
    assert case["status"] == "running" and case["service_item"] == "business_registration"
    assert case["applicant_id_number"] == "11010519491231002X"  # the window checks identity
    assert [t["task_spec"] for t in case["open_tasks"]] == ["intake"] and case["open_tasks"][0]["due_at"]
    assert len(case["materials"]) == 4 and {m["content_type"] for m in case["materials"]} == {"application/pdf"}
    assert all(
        (private_materials / m.storage_name).read_bytes().startswith(b"%PDF-1.4") for m in Material.objects.all()
    )

    work(desk, "front_desk", number, "intake", "accept")
    # Market regulation asks for everything missing at once; the front desk hands it in.
    review = open_task_id(market, "market", number, "market_review")
    task = market.get(f"/api/v1/tasks/{review}/").json()
    assert task["outcomes"] == ["approve", "reject", "correction"]
    assert [(f["id"], f["type"], f["required"]) for f in task["form_fields"]] == [("opinion", "string", False)]
    notice = {"missing_materials": ["股东会决议 shareholders' resolution"], "notice": "请一次性补齐：股东会决议。"}
    corrected = market.post(f"/api/v1/tasks/{review}/correction/", notice, format="json")
    assert corrected.status_code == 200 and corrected.json()["outcome"] == "correction"
    assert desk.get(f"/api/v1/cases/{number}/").json()["clock_running"] is False
    work(desk, "front_desk", number, "market_correction", "resubmitted")
    work(market, "market", number, "market_review", "approve", {"opinion": "材料齐全，准予登记"})

    clients = {"police": clerk_police, "tax": clerk_tax, "hrss": clerk_hrss, "housing_fund": clerk_fund}
    for department, task_spec in DEPARTMENT_REVIEWS.items():
        work(client_for(clients[department]), department, number, task_spec, "approve", {"opinion": "同意"})
    tax_view = client_for(clerk_tax).get(f"/api/v1/cases/{number}/").json()
    assert tax_view["applicant_id_number"] == "110105********002X" and tax_view["open_tasks"] == []

    opened = bank_client.post(
        f"/api/v1/cases/{number}/messages/",
        {"message": "bank_account_opened", "payload": {"account": "6222020200112233"}},
        format="json",
    )
    assert opened.status_code == 200 and opened.json()["status"] == "running", opened.json()
    rated = bank_client.post(
        f"/api/v1/cases/{number}/messages/", {"message": "service_rated", "payload": {"rating": 5}}, format="json"
    )
    assert rated.json() == {
        "case": number,
        "message": "service_rated",
        "status": "completed",
        "end_activity": "end_issued",
    }

    case = desk.get(f"/api/v1/cases/{number}/").json()
    assert case["status"] == "completed" and case["ended_at"] and case["open_tasks"] == []
    decisions = {d["task_spec"]: (d["department"], d["outcome"], d["decided_by"]) for d in case["decisions"]}
    assert decisions["market_review"] == ("market", "approve", "clerk_market")  # the last word after the correction
    assert decisions["intake"] == ("front_desk", "accept", "frontdesk")
    assert {decisions[spec][1] for spec in DEPARTMENT_REVIEWS.values()} == {"approve"}

    timeline = desk.get(f"/api/v1/cases/{number}/timeline/", {"page_size": 200}).json()
    kinds = [e["kind"] for e in timeline["results"]]
    assert timeline["count"] == len(kinds) == Event.objects.filter(case__number=number).count()
    assert (
        kinds[0] == "case_started" and kinds[-1] == "case_ended"
    )  # 8 completions; the correction was not claimed first
    assert (
        kinds.count("task_completed") == 8 and kinds.count("task_claimed") == 7 and kinds.count("message_received") == 2
    )
    assert "clock_paused" in kinds and "clock_resumed" in kinds
    assert [e["id"] for e in timeline["results"]] == sorted(e["id"] for e in timeline["results"])
    completed = [e for e in timeline["results"] if e["kind"] == "task_completed"]
    assert completed[1]["activity"] == "market_review" and completed[1]["outcome"] == "correction"
    assert completed[1]["actor"] == "clerk_market" and completed[1]["kind_display"].startswith("办理完成")
    first_page = desk.get(f"/api/v1/cases/{number}/timeline/", {"page_size": 5}).json()
    assert len(first_page["results"]) == 5 and first_page["next"] and first_page["count"] == len(kinds)


def test_the_service_catalogue_names_the_materials_in_upload_order(reference, clerk_tax):
    [item] = client_for(clerk_tax).get("/api/v1/service-items/").json()["results"]
    assert item["code"] == "business_registration" and item["materials"] == reference["item"].materials


# Intake: bad input refused, nothing half-saved -------------------------------------------------


def nothing_saved(private_materials: Path) -> bool:
    stored = [p for p in private_materials.rglob("*") if p.is_file()] if private_materials.exists() else []
    return not Case.objects.exists() and not Material.objects.exists() and not WorkItem.objects.exists() and not stored


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"applicant_id_number": "110105194912310021"}, "applicant_id_number", "身份证号码不正确"),
        ({"enterprise_uscc": "91350100M000100Y44"}, "enterprise_uscc", "统一社会信用代码不正确"),
        ({"material_1": None}, "material_1", "缺少材料：章程。"),
        ({"material_2": ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200)}, "material_2", "不是 PDF、JPEG 或 PNG 文件"),
        ({"registered_capital": "-5"}, "registered_capital", "0.01"),
        ({"service_item": "no_such_item"}, "service_item", "没有这个政务服务事项：no_such_item。"),
        ({"intake_key": "not-a-uuid"}, "intake_key", ""),
    ],
    ids=["resident-id", "credit-code", "missing-material", "wrong-file-type", "capital", "service-item", "intake-key"],
)
def test_intake_refuses_bad_input_with_the_reason_and_saves_nothing(
    reference, frontdesk, private_materials, changes, field, message
):
    body = application(reference["item"])
    for key, value in changes.items():
        if value is None:
            del body[key]
        elif isinstance(value, tuple):
            body[key] = io.BytesIO(value[1])
            body[key].name = value[0]
        else:
            body[key] = value
    response = client_for(frontdesk).post("/api/v1/cases/", body, format="multipart")
    assert response.status_code == 400
    payload = response.json()
    assert field in payload["errors"] and message in payload["errors"][field][0]
    assert message in payload["detail"]
    assert nothing_saved(private_materials)


def test_the_same_intake_key_twice_returns_the_same_case(reference, frontdesk):
    client, key = client_for(frontdesk), uuid.uuid4()
    first = client.post("/api/v1/cases/", application(reference["item"], key=key), format="multipart")
    again = client.post("/api/v1/cases/", application(reference["item"], key=key), format="multipart")
    assert (first.status_code, again.status_code) == (201, 200)
    assert (
        first.json()["number"] == again.json()["number"]
        and again["Location"] == f"/api/v1/cases/{first.json()['number']}/"
    )
    assert Case.objects.count() == 1 and Material.objects.count() == len(reference["item"].materials)


def test_an_online_portal_says_online_and_the_window_is_the_default(reference, frontdesk):
    client = client_for(frontdesk)
    online = client.post("/api/v1/cases/", application(reference["item"], channel="online"), format="multipart")
    window = client.post("/api/v1/cases/", application(reference["item"]), format="multipart")
    assert (online.json()["channel"], window.json()["channel"]) == ("online", "window")
    assert Event.objects.get(case__number=online.json()["number"], kind="case_started").data["channel"] == "online"
    refused = client.post("/api/v1/cases/", application(reference["item"], channel="post"), format="multipart")
    assert refused.status_code == 400 and "channel" in refused.json()["errors"]


def test_only_the_front_desk_takes_in_and_only_as_multipart(reference, frontdesk, clerk_market, private_materials):
    refused = client_for(clerk_market).post("/api/v1/cases/", application(reference["item"]), format="multipart")
    assert refused.status_code == 403 and refused.json()["detail"] == "只有综合窗口可以受理申请。"
    as_json = client_for(frontdesk).post("/api/v1/cases/", GOOD, format="json")
    assert as_json.status_code == 415
    assert nothing_saved(private_materials)


# Reading cases --------------------------------------------------------------------------------


def test_a_case_is_visible_to_the_departments_that_work_on_it_only(reference, frontdesk, clerk_tax, designer):
    number = take_in(reference, frontdesk)
    refused = client_for(clerk_tax).get(f"/api/v1/cases/{number}/")
    assert refused.status_code == 403 and refused.json()["detail"] == f"您的部门没有办件 {number} 的任务。"
    assert client_for(clerk_tax).get(f"/api/v1/cases/{number}/timeline/").status_code == 403
    assert client_for(designer).get(f"/api/v1/cases/{number}/").status_code == 403
    assert client_for(frontdesk).get("/api/v1/cases/BL-1999-000001/").status_code == 404
    assert client_for(frontdesk).get("/api/v1/cases/no such case/").json()["detail"].startswith("没有这个接口")


def test_without_credentials_the_api_answers_401(reference, frontdesk):
    number = take_in(reference, frontdesk)
    response = APIClient().get(f"/api/v1/cases/{number}/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "需要登录或 API 令牌。"
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/cases/{number}/")
    assert english.status_code == 401 and english.json()["detail"] == "Authentication credentials were not provided."
    wrong = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40).get(f"/api/v1/cases/{number}/")
    assert wrong.status_code == 401


def test_the_api_answers_in_the_language_the_request_asks_for(reference, frontdesk, clerk_market, clerk_tax):
    """LocaleMiddleware runs for /api/ too: Accept-Language picks English, 简体中文 without it."""
    number = take_in(reference, frontdesk)
    item = application(reference["item"])
    for language, intake, case, no_api, required in (
        (
            None,
            "只有综合窗口可以受理申请。",
            f"您的部门没有办件 {number} 的任务。",
            "没有这个接口：/api/v1/nowhere（路径以斜杠结尾）。",
            "该字段是必填项。",
        ),
        (
            "en-GB,en;q=0.9",
            "Only the front desk takes in applications.",
            f"Your department has no work in case {number}.",
            "No API endpoint at /api/v1/nowhere (paths end with a slash).",
            "This field is required.",
        ),
    ):
        headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
        refused = client_for(clerk_market).post("/api/v1/cases/", item, format="multipart", **headers)
        assert refused.json()["detail"] == intake
        assert client_for(clerk_tax).get(f"/api/v1/cases/{number}/", **headers).json()["detail"] == case
        assert client_for(frontdesk).get("/api/v1/nowhere", **headers).json()["detail"] == no_api
        # DRF's own words follow the same language.
        missing = client_for(frontdesk).post("/api/v1/cases/", {}, format="multipart", **headers).json()
        assert missing["errors"]["service_item"] == [required]


def test_a_logged_in_browser_session_works_too(reference, frontdesk):
    number = take_in(reference, frontdesk)
    client = APIClient()
    client.force_login(frontdesk)
    assert client.get(f"/api/v1/cases/{number}/").json()["number"] == number


# Messages from other systems ------------------------------------------------------------------


def test_messages_need_the_permission_and_a_case_that_waits_for_them(reference, frontdesk, clerk_market, bank_client):
    number = take_in(reference, frontdesk)
    body = {"message": "bank_account_opened", "payload": {}}
    refused = client_for(clerk_market).post(f"/api/v1/cases/{number}/messages/", body, format="json")
    assert refused.status_code == 403 and "engine.deliver_message" in refused.json()["detail"]
    early = bank_client.post(f"/api/v1/cases/{number}/messages/", body, format="json")
    assert (
        early.status_code == 409
        and early.json()["detail"] == f"办件 {number} 当前没有在等待消息「bank_account_opened」。"
    )
    early = bank_client.post(f"/api/v1/cases/{number}/messages/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert early.json()["detail"] == f"Case {number} is not waiting for the message 'bank_account_opened' now."
    assert bank_client.post("/api/v1/cases/BL-1999-000001/messages/", body, format="json").status_code == 404
    nul = bank_client.post(
        f"/api/v1/cases/{number}/messages/",
        {"message": "bank_account_opened", "payload": {"a": "x\x00"}},
        format="json",
    )
    assert nul.status_code == 400 and "NUL" in nul.json()["detail"]
    assert not Event.objects.filter(kind="message_received").exists()
    # The bank's system reads nothing: it has no department.
    assert bank_client.get(f"/api/v1/cases/{number}/").status_code == 403


def test_the_token_command_prints_the_same_token_until_reset(reference, clerk_tax):
    def token(*flags):
        out = io.StringIO()
        call_command("api_token", "clerk_tax", *flags, stdout=out)
        return out.getvalue().strip()

    first = token()
    assert token() == first and len(first) == 40
    reset = token("--reset")
    assert reset != first
    assert APIClient(HTTP_AUTHORIZATION=f"Token {reset}").get("/api/v1/tasks/mine/").status_code == 200
    assert APIClient(HTTP_AUTHORIZATION=f"Token {first}").get("/api/v1/tasks/mine/").status_code == 401
