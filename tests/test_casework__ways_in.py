"""退回 and 撤回 through the REST API and through the task page: the same rules (engine.casework)
whichever way in, the gate's 403s, the write path's 400s and 409s, and what each clerk sees."""

from __future__ import annotations

import pytest
from django.utils import translation

from engine.actions import do_complete_task
from engine.models import Event
from worklists.models import WorkItem

from .casework import REASON, fan_out, holding, work
from .test_api__cases import client_for
from .test_engine__business_registration import DEPARTMENT_REVIEWS, open_tasks, start


@pytest.fixture
def fanned_out(reference, frontdesk, clerk_market):
    return fan_out(reference, frontdesk, clerk_market)


def test_the_api_offers_the_steps_refuses_what_is_missing_and_sends_back(fanned_out, clerk_tax, clerk_police):
    item = holding(fanned_out, "tax_review", clerk_tax)
    api = client_for(clerk_tax)
    shown = api.get(f"/api/v1/tasks/{item.pk}/").json()
    assert [c["step"] for c in shown["send_back_to"]] == ["market_review", "intake"]
    assert shown["send_back_to"][0]["name"].startswith("营业执照审查")

    url = f"/api/v1/tasks/{item.pk}/send-back/"
    assert api.post(url, {}, format="json").status_code == 400  # no reason
    blank = api.post(url, {"reason": "   "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    wrong = api.post(url, {"reason": REASON, "to_step": "police_review"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert "it can go back to: Business licence review, Intake" in wrong.json()["errors"]["to_step"]
    assert client_for(clerk_police).post(url, {"reason": REASON}, format="json").status_code == 403
    assert open_tasks(fanned_out) == sorted(DEPARTMENT_REVIEWS)  # nothing moved

    sent = api.post(url, {"reason": REASON, "to_step": "market_review"}, format="json")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["state"] == "sent_back" and sent.json()["send_back_to"] == []
    assert open_tasks(fanned_out) == ["market_review"]
    again = api.post(url, {"reason": REASON}, format="json")
    assert again.status_code == 409


def test_the_api_takes_a_task_back_once_and_then_says_it_is_open(reference, frontdesk, clerk_market):
    case = start(reference)
    work(case, "intake", frontdesk, "accept")
    done = work(case, "market_review", clerk_market)
    api = client_for(clerk_market)
    back = api.post(f"/api/v1/tasks/{done.pk}/withdraw/", {"reason": "填错了"}, format="json")
    assert back.status_code == 200, back.json()
    body = back.json()
    assert body["task_spec"] == "market_review" and body["state"] == "open" and body["assignee"] == "clerk_market"
    assert body["id"] != done.pk
    again = api.post(f"/api/v1/tasks/{done.pk}/withdraw/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "only a completed task can be taken back" in again.json()["detail"]
    assert client_for(frontdesk).post(f"/api/v1/tasks/{done.pk}/withdraw/", {}, format="json").status_code == 403


def test_the_task_page_sends_back_and_the_step_sent_back_to_reads_why(client, fanned_out, clerk_tax, clerk_market):
    item = holding(fanned_out, "tax_review", clerk_tax)
    client.force_login(clerk_tax)
    page = client.get(f"/tasks/{item.pk}/").content.decode()
    assert "data-send-back" in page and 'value="market_review"' in page and 'value="intake"' in page

    refused = client.post(f"/tasks/{item.pk}/send-back/", {"to_step": "market_review", "reason": ""})
    assert refused.status_code == 400
    assert 'data-field="reason"' in refused.content.decode() and "has-error" in refused.content.decode()
    assert open_tasks(fanned_out) == sorted(DEPARTMENT_REVIEWS)

    done = client.post(f"/tasks/{item.pk}/send-back/", {"to_step": "market_review", "reason": REASON})
    assert done.status_code == 302
    assert open_tasks(fanned_out) == ["market_review"]

    reopened = holding(fanned_out, "market_review", clerk_market)
    client.force_login(clerk_market)
    page = client.get(f"/tasks/{reopened.pk}/").content.decode()
    assert "data-sent-back-note" in page and REASON in page and "clerk_tax" in page
    # A double submit of the same form: a clear message, nothing moved.
    client.force_login(clerk_tax)
    client.cookies["django_language"] = "en"
    twice = client.post(f"/tasks/{item.pk}/send-back/", {"to_step": "market_review", "reason": REASON}, follow=True)
    assert "This task is no longer open: sent back by clerk_tax at " in twice.content.decode()
    assert Event.objects.filter(case=fanned_out, kind=Event.Kind.TASK_SENT_BACK).count() == 1


def test_the_task_page_offers_take_back_until_someone_acts(client, reference, frontdesk, clerk_market, clerk_police):
    case = start(reference)
    work(case, "intake", frontdesk, "accept")
    done = work(case, "market_review", clerk_market)
    client.force_login(clerk_market)
    with translation.override("en"):
        page = client.get(f"/tasks/{done.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-withdraw" in page
    answer = client.post(f"/tasks/{done.pk}/withdraw/", {"reason": ""})
    reopened = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
    assert answer.status_code == 302 and answer["Location"] == f"/tasks/{reopened.pk}/"
    assert reopened.assignee == clerk_market

    # Worked again; this time the police claim before the clerk thinks again: no button, and a
    # forced post is refused with the reason.
    do_complete_task(reopened.pk, acting_user=clerk_market, outcome="approve", data={})
    holding(case, "police_review", clerk_police)
    second = WorkItem.objects.filter(case=case, task_spec="market_review", state="completed").latest("id")
    assert "data-withdraw" not in client.get(f"/tasks/{second.pk}/").content.decode()
    client.cookies["django_language"] = "en"
    refused = client.post(f"/tasks/{second.pk}/withdraw/", {}, follow=True)
    assert "work has gone on since it was completed" in refused.content.decode()
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)


def test_the_api_suspends_resumes_and_terminates_and_the_gate_decides_who(
    fanned_out, clerk_tax, head_market, supervisor, frontdesk
):
    number = fanned_out.number
    head = client_for(head_market)
    for who in (clerk_tax, supervisor):
        assert (
            client_for(who).post(f"/api/v1/cases/{number}/suspend/", {"reason": "x"}, format="json").status_code == 403
        )
    assert client_for(None).post(f"/api/v1/cases/{number}/suspend/", {"reason": "x"}, format="json").status_code in (
        401,
        403,
    )
    blank = head.post(f"/api/v1/cases/{number}/suspend/", {"reason": " "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    suspended = head.post(f"/api/v1/cases/{number}/suspend/", {"reason": "听证 Hearing"}, format="json")
    assert suspended.status_code == 200 and suspended.json()["suspended_at"] and suspended.json()["light"] == "paused"
    assert head.post(f"/api/v1/cases/{number}/suspend/", {"reason": "again"}, format="json").status_code == 409
    tax = holding(fanned_out, "tax_review", clerk_tax)
    refused = client_for(clerk_tax).post(f"/api/v1/tasks/{tax.pk}/complete/", {"outcome": "approve"}, format="json")
    assert refused.status_code == 409
    resumed = head.post(f"/api/v1/cases/{number}/resume/", {}, format="json")
    assert resumed.status_code == 200 and resumed.json()["suspended_at"] is None
    ended = client_for(frontdesk).post(
        f"/api/v1/cases/{number}/terminate/", {"reason": "申请人撤回", "applicant_withdrew": True}, format="json"
    )
    assert ended.status_code == 200
    assert ended.json()["status"] == "cancelled" and ended.json()["result"] == "withdrawn"
    assert ended.json()["open_tasks"] == []
    assert head.post(f"/api/v1/cases/{number}/terminate/", {"reason": "x"}, format="json").status_code == 409


def test_the_case_page_suspends_shows_why_and_terminates(client, fanned_out, head_market, clerk_tax):
    number = fanned_out.number
    client.force_login(head_market)
    page = client.get(f"/cases/{number}/").content.decode()
    assert "data-suspend" in page and "data-terminate" in page
    refused = client.post(f"/cases/{number}/suspend/", {"form": "suspend", "reason": ""})
    assert refused.status_code == 400 and "errorlist" in refused.content.decode()
    assert (
        client.post(f"/cases/{number}/suspend/", {"form": "suspend", "reason": "检验检测 Testing"}).status_code == 302
    )
    page = client.get(f"/cases/{number}/").content.decode()
    assert "data-suspended" in page and "检验检测 Testing" in page and "data-resume" in page
    # The clerk's task page says so, and offers no completion.
    tax = holding(fanned_out, "tax_review", clerk_tax)
    client.force_login(clerk_tax)
    task_page = client.get(f"/tasks/{tax.pk}/").content.decode()
    assert "data-suspended" in task_page and "data-complete" not in task_page
    assert "data-case-moves" not in client.get(f"/cases/{number}/").content.decode()  # a clerk does not move cases
    client.force_login(head_market)
    done = client.post(f"/cases/{number}/terminate/", {"form": "terminate", "reason": "法院裁定 Court order"})
    assert done.status_code == 302
    page = client.get(f"/cases/{number}/").content.decode()
    assert "data-terminated" in page and "法院裁定 Court order" in page and "data-case-moves" not in page
