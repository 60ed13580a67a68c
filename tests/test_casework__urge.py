"""催办: a supervisor or the department head urges an open task; it is counted on the task, logged,
the holder and the department's heads are told in their language, and the red list, the
dashboard and the escalation notices show it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from engine.errors import TaskConflict
from engine.models import Event
from sla.dashboard import Scope, red_rows
from sla.notification_models import Notification
from sla.texts import escalation_notice, notification_text
from sla.urging import do_urge_task
from worklists.models import Department, WorkItem

from .casework import fan_out, holding
from .test_api__cases import client_for

pytestmark = pytest.mark.dates


def test_a_supervisor_urges_a_task_the_holder_is_told_and_it_counts(
    reference, frontdesk, clerk_market, clerk_tax, supervisor
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    do_urge_task(tax.pk, acting_user=supervisor, note="今天下班前办结")
    urged = do_urge_task(tax.pk, acting_user=supervisor)
    assert urged.urges == 2 and urged.last_urged_at is not None
    logged = Event.objects.filter(case=case, kind=Event.Kind.TASK_URGED, work_item=tax.pk).order_by("id")
    assert [e.data["urges"] for e in logged] == [1, 2] and logged[0].data["note"] == "今天下班前办结"
    assert logged[0].actor == supervisor
    told = Notification.objects.filter(recipient=clerk_tax, kind=Notification.Kind.URGE).order_by("id")
    assert told.count() == 2 and told[0].link == f"/tasks/{tax.pk}/"
    with translation.override("en"):
        title, body = notification_text(told[0])
    assert title == f"Urged (1×): {case.number} “Invoices”"
    assert "supervisor urges the task “Invoices”" in body and "Note: 今天下班前办结" in body
    with translation.override("zh-hans"):
        title, _body = notification_text(told[0])
    assert title.startswith("催办（1×）")


def test_the_department_head_urges_their_own_department_s_task_and_its_heads_are_told(
    reference, frontdesk, clerk_market, head_market, supervisor
):
    case = fan_out(reference, frontdesk, clerk_market)
    police = WorkItem.objects.get(case=case, task_spec="police_review", state="open")
    api = client_for(head_market)
    assert api.post(f"/api/v1/tasks/{police.pk}/urge/", {}, format="json").status_code == 403  # not theirs
    review = WorkItem.objects.filter(case=case, task_spec="market_review").latest("id")
    assert api.post(f"/api/v1/tasks/{review.pk}/urge/", {}, format="json").status_code == 409  # done already
    answer = client_for(supervisor).post(f"/api/v1/tasks/{police.pk}/urge/", {"note": "请加快"}, format="json")
    assert answer.status_code == 200 and answer.json()["urges"] == 1
    # An unclaimed task has no holder: its department's heads are told (here the police have none).
    assert not Notification.objects.filter(kind=Notification.Kind.URGE).exclude(recipient__staff__department="police")
    with pytest.raises(TaskConflict):
        do_urge_task(review.pk, acting_user=supervisor)


def test_a_clerk_may_not_urge(reference, frontdesk, clerk_market, clerk_tax):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
    assert client_for(clerk_tax).post(f"/api/v1/tasks/{tax.pk}/urge/", {}, format="json").status_code == 403
    assert WorkItem.objects.get(pk=tax.pk).urges == 0


def test_the_red_list_the_dashboard_and_escalation_say_how_often_a_late_task_was_urged(
    client, reference, frontdesk, clerk_market, supervisor
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
    later = tax.due_at + dt.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        do_urge_task(tax.pk, acting_user=supervisor)
        rows = red_rows(Scope(), later, Department.objects.all())
        row = next(r for r in rows if r.kind == "task" and r.row_id == tax.pk)
        assert row.urges == 1
        client.force_login(supervisor)
        page = client.get("/sla/").content.decode()
    assert 'data-urges="1"' in page
    with translation.override("en"):
        _title, body = escalation_notice(
            {
                "level": 1,
                "case": case.number,
                "task": tax.name,
                "department": "税务",
                "department_en": "Taxation",
                "due": "2026-11-20 17:30",
                "overdue_hours": 7,
                "urges": 3,
            }
        )
    assert body.endswith("It was urged 3 times.")


def test_the_task_page_offers_urging_to_those_who_may(
    client, reference, frontdesk, clerk_market, clerk_tax, supervisor
):
    case = fan_out(reference, frontdesk, clerk_market)
    tax = WorkItem.objects.get(case=case, task_spec="tax_review", state="open")
    client.force_login(clerk_tax)
    assert "data-urge" not in client.get(f"/tasks/{tax.pk}/").content.decode()
    client.force_login(supervisor)
    assert "data-urge" in client.get(f"/tasks/{tax.pk}/").content.decode()
    assert client.post(f"/tasks/{tax.pk}/urge/", {"note": ""}).status_code == 302
    page = client.get(f"/tasks/{tax.pk}/").content.decode()
    assert 'data-urges="1"' in page
