"""The REST API, tasks: the gate's 403s, the write path's 409s, form data checked against the BPMN's
form fields, correction requests, reassignment, supervisors who read and change nothing, and the
department queue's filters, pages and fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.request import Request

from api.pagination import PageNumberPagination
from engine.actions import do_complete_task, do_start_case
from engine.formdata import FormDataError, check_form_data
from engine.models import Case, Event
from processes.names import in_language
from worklists.models import WorkItem

from .test_api__cases import application, client_for, private_materials, take_in  # noqa: F401 - fixture


@pytest.fixture
def at_market(reference, frontdesk):
    """A case taken in through the API and accepted at the window: market_review is open."""
    number = take_in(reference, frontdesk)
    case = Case.objects.get(number=number)
    do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, acting_user=frontdesk, outcome="accept")
    return case


def review_of(case) -> WorkItem:
    return WorkItem.objects.get(case=case, task_spec="market_review", state="open")


def snapshot(case) -> tuple:
    """Everything a refused request must leave as it was."""
    case.refresh_from_db()
    items = list(WorkItem.objects.filter(case=case).order_by("id").values_list("state", "assignee_id", "outcome"))
    return case.instance.state, case.status, case.steps, items, Event.objects.filter(case=case).count()


# 409: the write path says no --------------------------------------------------------------------


def test_completing_twice_is_a_conflict_with_the_engine_s_message(at_market, clerk_market):
    client, item = client_for(clerk_market), review_of(at_market)
    assert client.post(f"/api/v1/tasks/{item.pk}/complete/", {"outcome": "approve"}, format="json").status_code == 200
    before = snapshot(at_market)
    again = client.post(f"/api/v1/tasks/{item.pk}/complete/", {"outcome": "approve"}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"].startswith(f"办件 {at_market.number} 的任务「营业执照审查」已办（clerk_market，")
    english = client.post(
        f"/api/v1/tasks/{item.pk}/complete/", {"outcome": "approve"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 409 and english.json()["detail"].startswith(
        f"task 'Business licence review' of case {at_market.number} is no longer open: completed by clerk_market at "
    )
    assert snapshot(at_market) == before


def test_a_task_claimed_by_another_clerk_is_a_conflict(at_market, clerk_market, head_market):
    item = review_of(at_market)
    assert client_for(clerk_market).post(f"/api/v1/tasks/{item.pk}/claim/").json()["assignee"] == "clerk_market"
    before = snapshot(at_market)
    taken = client_for(head_market).post(f"/api/v1/tasks/{item.pk}/claim/")
    assert taken.status_code == 409 and taken.json()["detail"] == "任务「营业执照审查」已由 clerk_market 签收"
    in_english = client_for(head_market).post(f"/api/v1/tasks/{item.pk}/claim/", HTTP_ACCEPT_LANGUAGE="en")
    assert in_english.json()["detail"] == "task 'Business licence review' is already claimed by clerk_market"
    done = client_for(head_market).post(f"/api/v1/tasks/{item.pk}/complete/", {"outcome": "approve"}, format="json")
    assert done.status_code == 409 and "已由 clerk_market 签收" in done.json()["detail"]
    assert snapshot(at_market) == before
    released = client_for(clerk_market).post(f"/api/v1/tasks/{item.pk}/unclaim/")
    assert released.status_code == 200 and released.json()["assignee"] is None
    assert client_for(clerk_market).post(f"/api/v1/tasks/{item.pk}/unclaim/").status_code == 409


# 403 and 404: the gate says no ------------------------------------------------------------------


def test_another_department_s_task_is_forbidden_with_the_gate_s_message(at_market, clerk_tax):
    item, before = review_of(at_market), snapshot(at_market)
    client = client_for(clerk_tax)
    for action in ("claim", "unclaim", "complete", "correction"):
        response = client.post(f"/api/v1/tasks/{item.pk}/{action}/", {"outcome": "approve"}, format="json")
        assert response.status_code == 403, action
        assert response.json()["detail"] == "此任务属于市场监管，不是您的部门。"
    english = client.post(f"/api/v1/tasks/{item.pk}/claim/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "This task belongs to Market regulation, not to your department."
    read = client.get(f"/api/v1/tasks/{item.pk}/")
    assert read.status_code == 403 and read.json()["detail"] == "此任务属于市场监管。"
    assert client.get("/api/v1/departments/market/queue/").json()["detail"] == "这是市场监管的待办，不是您部门的。"
    english = client.get("/api/v1/departments/market/queue/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert english == "This is the queue of Market regulation, not of your department."
    assert snapshot(at_market) == before


def test_unknown_tasks_and_departments_are_404(at_market, clerk_market):
    client = client_for(clerk_market)
    assert client.get("/api/v1/tasks/999999/").json() == {"detail": "没有任务 999999。"}
    english = client.get("/api/v1/tasks/999999/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"detail": "There is no task 999999."}
    assert client.post("/api/v1/tasks/999999/complete/", {"outcome": "approve"}, format="json").status_code == 404
    assert client.get("/api/v1/tasks/99999999999999999999999/").status_code == 404
    assert client.get("/api/v1/departments/nowhere/queue/").status_code == 404


# 400: bad input, nothing half-saved ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field, message",
    [
        (
            {"outcome": "approved"},
            "non_field",
            "请选择办理结果：同意（approve）、不予通过（reject）、要求补正（correction）。「营业执照审查」没有“approved”这一结果。",
        ),
        ({"outcome": ""}, "non_field", "请为「营业执照审查」选择办理结果：同意（approve）"),
        ({"outcome": "approve", "data": {"opinion": 5}}, "data", "「审查意见」应为文本。"),
        ({"outcome": "approve", "data": {"opinion": ["ok"]}}, "data", "应为文本"),
        (
            {"outcome": "approve", "data": {"licence_no": "91350100"}},
            "data",
            "表单没有字段「licence_no」（现有字段：opinion）。",
        ),
        ({"outcome": "approve", "data": "opinion"}, "data", ""),
        ({"outcome": "correction"}, "outcome", "/correction/"),
        ({"outcome": "reject", "reject_reason": "  "}, "reject_reason", "不予通过须写明理由。"),
    ],
    ids=[
        "unknown-outcome",
        "no-outcome",
        "number-for-text",
        "list-for-text",
        "unknown-field",
        "data-not-an-object",
        "correction",
        "reject-without-reason",
    ],
)
def test_bad_completions_are_400_and_nothing_moves(at_market, clerk_market, body, field, message):
    item, before = review_of(at_market), snapshot(at_market)
    response = client_for(clerk_market).post(f"/api/v1/tasks/{item.pk}/complete/", body, format="json")
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert message in payload["detail"]
    if field != "non_field":
        assert field in payload["errors"]
    assert snapshot(at_market) == before


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {"outcome": "approved"},
            "'Business licence review' does not offer the outcome 'approved'; choose one of: Approve (approve), "
            "Reject (reject), Request correction (correction).",
        ),
        ({"outcome": "approve", "data": {"opinion": 5}}, "'Opinion' must be text."),
        (
            {"outcome": "approve", "data": {"licence_no": "91350100"}},
            "The task's form has no field 'licence_no' (it has: opinion).",
        ),
        ({"outcome": "reject", "reject_reason": "  "}, "A rejection needs its reason."),
    ],
)
def test_bad_completions_are_refused_in_the_language_the_client_asks_for(at_market, clerk_market, body, message):
    item = review_of(at_market)
    response = client_for(clerk_market).post(
        f"/api/v1/tasks/{item.pk}/complete/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and message in response.json()["detail"]


def test_a_rejection_states_its_reason(at_market, clerk_market):
    item = review_of(at_market)
    body = {"outcome": "reject", "reject_reason": "经营范围含前置许可项目。", "data": {"opinion": "不予登记"}}
    response = client_for(clerk_market).post(f"/api/v1/tasks/{item.pk}/complete/", body, format="json")
    assert response.status_code == 200 and response.json()["outcome"] == "reject"
    at_market.refresh_from_db()
    assert (at_market.status, at_market.end_activity) == ("completed", "end_rejected")


def test_a_correction_request_names_everything_missing_at_once(at_market, clerk_market, frontdesk):
    item, client = review_of(at_market), client_for(clerk_market)
    before = snapshot(at_market)
    for body in (
        {"missing_materials": [], "notice": "x"},
        {"missing_materials": ["章程"]},
        {"missing_materials": "章程", "notice": "x"},
    ):
        assert client.post(f"/api/v1/tasks/{item.pk}/correction/", body, format="json").status_code == 400
    assert snapshot(at_market) == before
    body = {
        "missing_materials": ["章程 articles of association", "住所证明 proof of address"],
        "notice": "请补齐章程和住所证明。",
    }
    response = client.post(f"/api/v1/tasks/{item.pk}/correction/", body, format="json")
    assert (
        response.status_code == 200
        and response.json()["outcome"] == "correction"
        and response.json()["state"] == "completed"
    )
    [back] = WorkItem.objects.filter(case=at_market, state="open")
    assert (back.task_spec, back.department_id) == ("market_correction", "front_desk")
    assert Event.objects.filter(case=at_market, kind="clock_paused").exists()
    # A task that offers no correction refuses one, and says so.
    refused = client_for(frontdesk).post(f"/api/v1/tasks/{back.pk}/correction/", body, format="json")
    assert (
        refused.status_code == 400
        and refused.json()["detail"] == f"「{in_language(back.name, language='zh-hans')}」不能要求补正。"
    )
    english = client_for(frontdesk).post(
        f"/api/v1/tasks/{back.pk}/correction/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["detail"] == f"'{in_language(back.name, language='en')}' does not offer a correction request."


# Reassignment ------------------------------------------------------------------------------------


def test_only_the_head_reassigns_and_only_to_their_department(at_market, head_market, clerk_market, clerk_tax):
    item, url = review_of(at_market), f"/api/v1/tasks/{review_of(at_market).pk}/reassign/"
    refused = client_for(clerk_market).post(url, {"assignee": "clerk_market"}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "只有本部门负责人可以改派。"
    elsewhere = client_for(head_market).post(url, {"assignee": "clerk_tax"}, format="json")
    assert elsewhere.status_code == 400 and elsewhere.json()["errors"]["assignee"] == [
        "「clerk_tax」不是市场监管的工作人员。"
    ]
    english = client_for(head_market).post(url, {"assignee": "clerk_tax"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"]["assignee"] == ["'clerk_tax' is not on the staff of Market regulation."]
    done = client_for(head_market).post(url, {"assignee": "clerk_market"}, format="json")
    assert done.status_code == 200 and done.json()["assignee"] == "clerk_market"
    mine = client_for(clerk_market).get("/api/v1/tasks/mine/").json()
    assert [row["id"] for row in mine["results"]] == [item.pk]
    assert Event.objects.get(case=at_market, kind="task_reassigned").data == {"from": None, "to": "clerk_market"}


# Supervisors read everything and change nothing ---------------------------------------------------


def test_a_supervisor_reads_everything_and_every_write_is_403(at_market, supervisor, reference):
    item, client = review_of(at_market), client_for(supervisor)
    assert client.get(f"/api/v1/cases/{at_market.number}/").json()["applicant_id_number"] == "110105********002X"
    assert client.get(f"/api/v1/cases/{at_market.number}/timeline/").status_code == 200
    assert client.get(f"/api/v1/tasks/{item.pk}/").json()["task_spec"] == "market_review"
    assert client.get("/api/v1/departments/market/queue/").json()["count"] == 1
    assert client.get("/api/v1/tasks/mine/").json()["count"] == 0
    before, cases = snapshot(at_market), Case.objects.count()
    writes = [
        ("/api/v1/cases/", application(reference["item"]), "multipart"),
        (f"/api/v1/cases/{at_market.number}/messages/", {"message": "bank_account_opened"}, "json"),
        (f"/api/v1/tasks/{item.pk}/claim/", {}, "json"),
        (f"/api/v1/tasks/{item.pk}/unclaim/", {}, "json"),
        (f"/api/v1/tasks/{item.pk}/reassign/", {"assignee": "clerk_market"}, "json"),
        (f"/api/v1/tasks/{item.pk}/complete/", {"outcome": "approve"}, "json"),
        (f"/api/v1/tasks/{item.pk}/correction/", {"missing_materials": ["章程"], "notice": "请补齐"}, "json"),
    ]
    for url, body, kind in writes:
        response = client.post(url, body, format=kind)
        assert response.status_code == 403, url
        assert response.json()["detail"]
    assert snapshot(at_market) == before and Case.objects.count() == cases


# The department queue ------------------------------------------------------------------------------


def test_the_queue_filters_orders_by_due_time_and_pages(reference, clerk_market, frontdesk):
    version, item = reference["parallel"], reference["item"]
    cases = [do_start_case(version=version, service_item=item) for _ in range(3)]
    other = do_start_case(version=reference["serial"], service_item=None)
    for case in (*cases, other):
        do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, outcome="accept")
    # Due an hour ago: red by its due time, before any sweep has looked (workdays.lateness).
    WorkItem.objects.filter(case=cases[1], state="open").update(due_at=timezone.now() - dt.timedelta(hours=1))
    client = client_for(clerk_market)
    rows = client.get("/api/v1/departments/market/queue/").json()
    assert rows["count"] == 4
    due = [(r["due_at"], r["id"]) for r in rows["results"]]
    assert due == sorted(due)
    assert [r["case"] for r in client.get("/api/v1/departments/market/queue/", {"light": "red"}).json()["results"]] == [
        cases[1].number
    ]
    assert (
        client.get("/api/v1/departments/market/queue/", {"service_item": "business_registration"}).json()["count"] == 3
    )
    assert (
        client.get("/api/v1/departments/market/queue/", {"case": other.number}).json()["results"][0]["service_item"]
        is None
    )
    assert client.get("/api/v1/departments/market/queue/", {"light": "purple"}).status_code == 400
    page = client.get("/api/v1/departments/market/queue/", {"page_size": 3, "page": 2}).json()
    assert len(page["results"]) == 1 and page["previous"] and page["next"] is None
    assert client.get("/api/v1/departments/market/queue/", {"page": 9}).status_code == 404


def test_the_queue_costs_the_same_sql_statements_for_any_page_size(reference, clerk_market, head_market):
    for _ in range(12):
        case = do_start_case(version=reference["parallel"], service_item=reference["item"])
        do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, outcome="accept")
    claimed = WorkItem.objects.filter(task_spec="market_review").order_by("id")
    WorkItem.objects.filter(pk__in=[i.pk for i in claimed[:6]]).update(
        assignee=head_market
    )  # the assignee is joined too
    client = client_for(clerk_market)

    def statements(page_size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/departments/market/queue/", {"page_size": page_size})
        assert response.status_code == 200 and len(response.json()["results"]) == page_size
        return len(queries)

    # token + user, staff member, department, count, page: five, whatever the page size.
    assert statements(2) == statements(12) == 5


def test_page_size_is_50_by_default_and_capped_at_200(reference, clerk_market, rf):
    def size(query: str) -> int:
        return PageNumberPagination().get_page_size(Request(rf.get("/", {"page_size": query} if query else {})))

    assert (size(""), size("1"), size("200"), size("100000"), size("-3"), size("x")) == (50, 1, 200, 200, 50, 50)
    assert client_for(clerk_market).get("/api/v1/departments/market/queue/", {"page_size": 100000}).status_code == 200


# Form data against every Camunda field type (a pure function: no database) --------------------------

FIELDS = [
    {"id": "opinion", "label": "意见 Opinion", "type": "string", "required": True, "values": []},
    {"id": "staff", "label": "人数 Staff", "type": "long", "required": False, "values": []},
    {"id": "site_visit", "label": "现场核查 Site visit", "type": "boolean", "required": False, "values": []},
    {"id": "visit_on", "label": "核查日期 Visit date", "type": "date", "required": False, "values": []},
    {
        "id": "risk",
        "label": "风险 Risk",
        "type": "enum",
        "required": False,
        "values": [{"id": "low", "name": "低"}, {"id": "high", "name": "高"}],
    },
]


def test_form_data_of_every_type_is_checked():
    good = {"opinion": "同意", "staff": 12, "site_visit": False, "visit_on": "2026-03-02", "risk": "low"}
    assert check_form_data(FIELDS, good) == good
    assert check_form_data(FIELDS, {"opinion": "同意", "staff": None}) == {"opinion": "同意"}
    wrong = {"opinion": "", "staff": True, "site_visit": "yes", "visit_on": "02/03/2026", "risk": "medium", "extra": 1}
    with pytest.raises(FormDataError) as refused:
        check_form_data(FIELDS, wrong)
    assert refused.value.errors == {
        "opinion": "「意见」为必填项。",
        "staff": "「人数」应为整数。",
        "site_visit": "「现场核查」应为 true 或 false。",
        "visit_on": "「核查日期」应为日期 YYYY-MM-DD。",
        "risk": "「风险」应为以下之一：low、high。",
        "extra": "表单没有字段「extra」（现有字段：opinion、staff、site_visit、visit_on、risk）。",
    }
    with translation.override("en"), pytest.raises(FormDataError) as in_english:
        check_form_data(FIELDS, wrong)
    assert in_english.value.errors == {
        "opinion": "'Opinion' is required.",
        "staff": "'Staff' must be a whole number.",
        "site_visit": "'Site visit' must be true or false.",
        "visit_on": "'Visit date' must be a date, YYYY-MM-DD.",
        "risk": "'Risk' must be one of: low, high.",
        "extra": "The task's form has no field 'extra' (it has: opinion, staff, site_visit, visit_on, risk).",
    }
    with pytest.raises(FormDataError, match="「意见」含有 NUL 字符"):
        check_form_data(FIELDS, {"opinion": "a\x00b"})
    with pytest.raises(FormDataError, match="「人数」应为整数"):
        check_form_data(FIELDS, {"opinion": "x", "staff": 2**63})
