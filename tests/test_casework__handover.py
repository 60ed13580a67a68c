"""转办 and 委派: a task handed to a colleague, offered to another department whose head accepts or
refuses, and delegated work that comes back to the clerk who completes it."""

from __future__ import annotations

import pytest
from django.utils import translation

from engine.actions import do_complete_task
from engine.errors import InvalidInput, TaskConflict
from engine.handover import do_decide_transfer, do_delegate_task, do_transfer_task
from engine.models import Event
from worklists.models import StaffMember, WorkItem
from worklists.people import do_create_staff

from .casework import fan_out, holding
from .test_api__cases import client_for


@pytest.fixture
def second_tax_clerk(reference):
    return do_create_staff("clerk_tax_2", role=StaffMember.Role.CLERK, department="tax")


def test_a_clerk_hands_the_task_to_a_colleague(
    reference, frontdesk, clerk_market, clerk_tax, clerk_police, second_tax_clerk
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    with pytest.raises(InvalidInput):
        do_transfer_task(tax.pk, acting_user=clerk_tax, to_user=clerk_police)  # not of the department
    with pytest.raises(TaskConflict):
        do_transfer_task(tax.pk, acting_user=clerk_police, to_user=second_tax_clerk)  # not the holder
    do_transfer_task(tax.pk, acting_user=clerk_tax, to_user=second_tax_clerk, reason="休假 On leave")
    tax.refresh_from_db()
    assert tax.assignee == second_tax_clerk
    moved = Event.objects.get(case=case, kind=Event.Kind.TASK_TRANSFERRED)
    assert moved.data == {"from": "clerk_tax", "to": "clerk_tax_2", "reason": "休假 On leave"}
    do_complete_task(tax.pk, acting_user=second_tax_clerk, outcome="approve", data={})


def test_a_task_offered_to_another_department_waits_for_its_head(
    reference, frontdesk, clerk_market, clerk_tax, head_market
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    with pytest.raises(InvalidInput):
        do_transfer_task(tax.pk, acting_user=clerk_tax, to_department="market")  # no reason
    do_transfer_task(tax.pk, acting_user=clerk_tax, to_department="market", reason="属市场监管职责")
    tax.refresh_from_db()
    assert tax.transfer_to_id == "market" and tax.department_id == "tax" and tax.assignee == clerk_tax
    api = client_for(clerk_tax)
    assert api.post(f"/api/v1/tasks/{tax.pk}/transfer/decision/", {"accept": True}, format="json").status_code == 403
    head = client_for(head_market)
    shown = head.get(f"/api/v1/tasks/{tax.pk}/")  # the head of the department it is offered to may look
    assert shown.status_code == 200 and shown.json()["transfer_to"] == "market"
    decided = head.post(f"/api/v1/tasks/{tax.pk}/transfer/decision/", {"accept": True}, format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["department"] == "market" and decided.json()["assignee"] is None
    assert head.post(f"/api/v1/tasks/{tax.pk}/transfer/decision/", {"accept": True}, format="json").status_code == 409


def test_a_refused_transfer_leaves_the_task_where_it_was(reference, frontdesk, clerk_market, clerk_tax, head_market):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    do_transfer_task(tax.pk, acting_user=clerk_tax, to_department="market", reason="属市场监管职责")
    do_decide_transfer(tax.pk, acting_user=head_market, accept=False, note="不属本局")
    tax.refresh_from_db()
    assert tax.department_id == "tax" and tax.assignee == clerk_tax and tax.transfer_to_id is None
    assert Event.objects.filter(case=case, kind=Event.Kind.TRANSFER_REFUSED).count() == 1


def test_delegated_work_comes_back_to_the_holder_who_completes_it(
    reference, frontdesk, clerk_market, clerk_tax, clerk_hrss
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    do_delegate_task(tax.pk, acting_user=clerk_tax, to_user=clerk_hrss, note="请核对社保登记")
    with translation.override("en"), pytest.raises(TaskConflict, match="delegated to clerk_hrss"):
        do_complete_task(tax.pk, acting_user=clerk_tax, outcome="approve", data={})
    # The delegate sees it in "delegated to me" and on the task page, and returns the work.
    api = client_for(clerk_hrss)
    assert api.get(f"/api/v1/tasks/{tax.pk}/").json()["delegate"] == "clerk_hrss"
    returned = api.post(f"/api/v1/tasks/{tax.pk}/delegate/return/", {"note": "已核对，无误"}, format="json")
    assert returned.status_code == 200 and returned.json()["delegate"] is None
    back = Event.objects.get(case=case, kind=Event.Kind.DELEGATION_RETURNED)
    assert back.actor == clerk_hrss and back.data["note"] == "已核对，无误" and back.data["recalled"] is False
    do_complete_task(tax.pk, acting_user=clerk_tax, outcome="approve", data={})
    assert WorkItem.objects.get(pk=tax.pk).state == WorkItem.State.COMPLETED


def test_the_holder_recalls_a_delegation_and_the_pages_show_it(
    client, reference, frontdesk, clerk_market, clerk_tax, clerk_hrss
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    client.force_login(clerk_tax)
    assert "data-hand-over-panel" in client.get(f"/tasks/{tax.pk}/").content.decode()
    assert client.post(f"/tasks/{tax.pk}/delegate/", {"to_user": clerk_hrss.pk}).status_code == 302
    client.force_login(clerk_hrss)
    listed = client.get("/work/?tab=delegated").content.decode()
    assert f"/tasks/{tax.pk}/" in listed
    page = client.get(f"/tasks/{tax.pk}/").content.decode()
    assert "data-delegated" in page and "data-return-delegation" in page and "data-complete" not in page
    client.force_login(clerk_tax)
    assert client.post(f"/tasks/{tax.pk}/delegate/return/", {}).status_code == 302
    tax.refresh_from_db()
    assert tax.delegate is None
    assert Event.objects.get(case=case, kind=Event.Kind.DELEGATION_RETURNED).data["recalled"] is True
