"""加签: before deciding, the clerk asks another department or a person for an opinion. The request
is a task of its own with its limit and light; the task waits for every opinion (or the request's
withdrawal); a send-back closes the requests with the task."""

from __future__ import annotations

import pytest
from django.utils import translation

from engine.actions import do_claim_task, do_complete_task
from engine.casework import do_send_back_task
from engine.errors import InvalidInput, TaskConflict
from engine.models import Event
from engine.opinions import do_ask_opinion, do_give_opinion, do_withdraw_opinion_request, opinions_of
from worklists.models import WorkItem

from .casework import REASON, fan_out, holding
from .test_api__cases import client_for

QUESTION = "经营范围是否涉及前置审批？ Does the scope need a prior permit?"


def test_the_task_waits_for_the_opinion_which_has_its_own_limit(reference, frontdesk, clerk_market, clerk_tax):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    with pytest.raises(InvalidInput):
        do_ask_opinion(tax.pk, acting_user=clerk_tax, question="", department="market")
    opinion = do_ask_opinion(tax.pk, acting_user=clerk_tax, question=QUESTION, department="market", working_days=2)
    assert opinion.department_id == "market" and opinion.asked_for_id == tax.pk and opinion.assignee is None
    assert opinion.due_at is not None and opinion.light == "green" and opinion.limit_working_days == 2
    assert WorkItem.objects.get(pk=tax.pk).open_opinions == 1
    with translation.override("en"), pytest.raises(TaskConflict, match=r"waits for opinions \(Market regulation\)"):
        do_complete_task(tax.pk, acting_user=clerk_tax, outcome="approve", data={})
    with pytest.raises(TaskConflict):  # an opinion request is answered, not completed
        do_complete_task(opinion.pk, acting_user=clerk_market, outcome="approve", data={})

    do_claim_task(opinion.pk, acting_user=clerk_market)
    do_give_opinion(opinion.pk, acting_user=clerk_market, opinion="不涉及 No prior permit needed")
    assert WorkItem.objects.get(pk=tax.pk).open_opinions == 0
    shown = opinions_of(tax)
    assert shown[0]["given"].data["opinion"] == "不涉及 No prior permit needed"
    assert shown[0]["asked"].data["question"] == QUESTION
    do_complete_task(tax.pk, acting_user=clerk_tax, outcome="approve", data={})


def test_a_withdrawn_request_frees_the_task_and_a_send_back_closes_the_others(
    reference, frontdesk, clerk_market, clerk_tax, clerk_hrss
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    first = do_ask_opinion(tax.pk, acting_user=clerk_tax, question=QUESTION, person=clerk_hrss)
    assert first.assignee == clerk_hrss and first.department_id == "hrss"
    second = do_ask_opinion(tax.pk, acting_user=clerk_tax, question=QUESTION, department="police")
    with pytest.raises(TaskConflict):
        do_withdraw_opinion_request(first.pk, acting_user=clerk_hrss)  # only the asker
    do_withdraw_opinion_request(first.pk, acting_user=clerk_tax)
    assert WorkItem.objects.get(pk=first.pk).state == WorkItem.State.CANCELLED
    assert WorkItem.objects.get(pk=tax.pk).open_opinions == 1
    do_send_back_task(tax.pk, acting_user=clerk_tax, reason=REASON, to_step="market_review")
    assert WorkItem.objects.get(pk=second.pk).state == WorkItem.State.CANCELLED
    assert WorkItem.objects.get(pk=tax.pk).open_opinions == 0
    assert Event.objects.filter(case=case, kind=Event.Kind.TASK_CANCELLED, work_item=second.pk).exists()


def test_the_api_and_the_pages_ask_answer_and_show_the_opinions(client, reference, frontdesk, clerk_market, clerk_tax):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    api = client_for(clerk_tax)
    asked = api.post(f"/api/v1/tasks/{tax.pk}/opinions/", {"question": QUESTION, "department": "market"}, format="json")
    assert asked.status_code == 201, asked.json()
    request_id = asked.json()["id"]
    assert asked.json()["department"] == "market"
    market = client_for(clerk_market)
    answered = market.post(f"/api/v1/tasks/{request_id}/opinion/", {"opinion": "同意"}, format="json")
    assert answered.status_code == 200 and answered.json()["state"] == "completed"
    listed = api.get(f"/api/v1/tasks/{tax.pk}/opinions/").json()
    assert listed == [
        {
            "task": request_id,
            "department": "market",
            "person": "clerk_market",
            "state": "completed",
            "due_at": listed[0]["due_at"],
            "question": QUESTION,
            "opinion": "同意",
        }
    ]
    client.force_login(clerk_tax)
    page = client.get(f"/tasks/{tax.pk}/").content.decode()
    assert "data-opinions" in page and "同意" in page and "data-ask-opinion" in page


def test_the_case_page_timeline_shows_the_question_and_the_opinion(
    client, reference, frontdesk, clerk_market, clerk_tax
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    opinion = do_ask_opinion(tax.pk, acting_user=clerk_tax, question=QUESTION, department="market")
    do_give_opinion(opinion.pk, acting_user=clerk_market, opinion="不涉及")
    client.force_login(clerk_tax)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert QUESTION in page and "data-opinion-answer" in page and "不涉及" in page
