"""延期 (行政许可法 art. 42): a clerk asks, the head the service item names decides; an approved
extension moves the case's deadlines as a clerk counts them on the calendar, over a holiday too."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from engine.errors import InvalidInput, TaskConflict
from engine.models import Event
from sla.extension_models import Extension
from sla.extensions import do_decide_extension, do_request_extension
from sla.notification_models import Notification

from .casework import fan_out, work
from .test_api__cases import client_for
from .test_engine__business_registration import start

pytestmark = pytest.mark.dates

BEIJING = ZoneInfo("Asia/Shanghai")
WHY = "需要现场核查 A site inspection is needed"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def local(moment) -> str:
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M}"


def test_ten_working_days_approved_over_the_national_day_holiday(reference, frontdesk, clerk_market, head_market):
    item = reference["item"]
    item.promised_limit_working_days = item.statutory_limit_working_days = 3
    item.save()
    # Thursday 24 September 2026: 3 working days are the 28th, 29th and 30th (25–27 is the
    # Mid-Autumn holiday), so the case is due on Wednesday 30 September, the eve of National Day.
    with time_machine.travel(at("2026-09-24 10:00"), tick=False):
        case = start(reference)
        work(case, "intake", frontdesk, "accept")
    case.refresh_from_db()
    assert (local(case.due_at), local(case.statutory_due_at)) == ("2026-09-30 17:30", "2026-09-30 17:30")

    with time_machine.travel(at("2026-09-29 10:00"), tick=False):
        asked = do_request_extension(case.number, acting_user=clerk_market, reason=WHY, department="market")
        assert asked.working_days == 10 and asked.approver_department == "market"
        assert Notification.objects.filter(recipient=head_market, kind=Notification.Kind.EXTENSION).exists()
        do_decide_extension(asked.pk, acting_user=head_market, approve=True, note="同意")
    case.refresh_from_db()
    # By hand: 10 working days after 30 September: 8, 9, 10 (Saturday, worked), 12, 13, 14, 15, 16,
    # 19 and 20 October; 1–7 October is National Day, the 11th a Sunday.
    assert (local(case.due_at), local(case.statutory_due_at)) == ("2026-10-20 17:30", "2026-10-20 17:30")
    assert case.extended_working_days == 10
    asked.refresh_from_db()
    assert asked.state == Extension.State.APPROVED and asked.decided_by == head_market
    assert "2026-10-20" in asked.notice and WHY in asked.notice
    approved = Event.objects.get(case=case, kind=Event.Kind.EXTENSION_APPROVED)
    assert approved.data["working_days"] == 10 and approved.actor == head_market
    told = Notification.objects.get(recipient=clerk_market, kind=Notification.Kind.EXTENSION)
    with translation.override("en"):
        from sla.texts import notification_text

        assert notification_text(told)[0] == f"Extension approved: case {case.number}, 10 working days"


def test_one_request_waits_at_a_time_and_a_refusal_changes_no_deadline(
    reference, frontdesk, clerk_market, clerk_tax, head_market
):
    case = fan_out(reference, frontdesk, clerk_market)
    case.refresh_from_db()
    due = case.statutory_due_at
    asked = do_request_extension(case.number, acting_user=clerk_tax, reason=WHY, department="tax")
    with translation.override("en"), pytest.raises(TaskConflict, match="already has an extension waiting"):
        do_request_extension(case.number, acting_user=clerk_tax, reason=WHY, department="tax")
    with pytest.raises(InvalidInput):
        do_request_extension(case.number, acting_user=clerk_tax, reason="", department="tax")
    do_decide_extension(asked.pk, acting_user=head_market, approve=False, note="材料齐全，无需延期")
    case.refresh_from_db()
    assert case.statutory_due_at == due and case.extended_working_days == 0
    with pytest.raises(TaskConflict):
        do_decide_extension(asked.pk, acting_user=head_market, approve=True)
    assert Event.objects.filter(case=case, kind=Event.Kind.EXTENSION_REFUSED).count() == 1


def test_the_api_asks_and_the_right_head_decides(
    reference, frontdesk, clerk_market, clerk_tax, head_market, supervisor
):
    item = reference["item"]
    item.extension_approver = "market"  # 联合办理: the lead department decides for everyone
    item.save()
    case = fan_out(reference, frontdesk, clerk_market)
    assert (
        client_for(supervisor)
        .post(f"/api/v1/cases/{case.number}/extensions/", {"reason": WHY}, format="json")
        .status_code
        == 403
    )
    asked = client_for(clerk_tax).post(f"/api/v1/cases/{case.number}/extensions/", {"reason": WHY}, format="json")
    assert asked.status_code == 201, asked.json()
    body = asked.json()
    assert body["state"] == "requested" and body["approver_department"] == "market" and body["working_days"] == 10
    url = f"/api/v1/extensions/{body['id']}/decision/"
    assert client_for(clerk_tax).post(url, {"approve": True}, format="json").status_code == 403
    decided = client_for(head_market).post(url, {"approve": True}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert client_for(head_market).post(url, {"approve": True}, format="json").status_code == 409
    listed = client_for(clerk_tax).get(f"/api/v1/cases/{case.number}/extensions/").json()
    assert [e["state"] for e in listed] == ["approved"] and listed[0]["notice"]


def test_no_extension_once_the_statutory_limit_has_run_out(reference, frontdesk, clerk_market, clerk_tax):
    case = fan_out(reference, frontdesk, clerk_market)
    case.refresh_from_db()
    with time_machine.travel(case.statutory_due_at + dt.timedelta(days=1), tick=False), pytest.raises(InvalidInput):
        do_request_extension(case.number, acting_user=clerk_tax, reason=WHY, department="tax")


def test_the_case_page_asks_and_decides(client, reference, frontdesk, clerk_market, head_market):
    case = start(reference)
    work(case, "intake", frontdesk, "accept")
    client.force_login(clerk_market)
    assert "data-ask-extension" in client.get(f"/cases/{case.number}/").content.decode()
    assert client.post(f"/cases/{case.number}/extensions/", {"reason": ""}).status_code == 400
    assert client.post(f"/cases/{case.number}/extensions/", {"reason": WHY}).status_code == 302
    client.force_login(head_market)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "data-decide-extension" in page and WHY in page
    extension = Extension.objects.get(case=case)
    assert client.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve"}).status_code == 302
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-extension="approved"' in page and "data-extension-notice" in page


def test_the_report_counts_each_move_per_case_per_department_and_per_version(
    client, reference, frontdesk, clerk_market, clerk_tax, head_market, supervisor
):
    from engine.case_moves import do_resume_case, do_suspend_case
    from engine.casework import do_send_back_task
    from reports.figures import version_figures
    from sla.urging import do_urge_task

    from .casework import REASON, holding

    case = fan_out(reference, frontdesk, clerk_market)
    tax = holding(case, "tax_review", clerk_tax)
    do_urge_task(tax.pk, acting_user=supervisor)
    do_urge_task(tax.pk, acting_user=supervisor)
    asked = do_request_extension(case.number, acting_user=clerk_tax, reason=WHY, department="tax")
    do_decide_extension(asked.pk, acting_user=head_market, approve=True)
    do_suspend_case(case.number, acting_user=head_market, reason="听证")
    do_resume_case(case.number, acting_user=head_market)
    do_send_back_task(tax.pk, acting_user=clerk_tax, reason=REASON, to_step="market_review")
    fan_out(reference, frontdesk, clerk_market)  # a second case, with none of it

    figures = version_figures(reference["parallel"])
    assert figures["cases"] == 2
    assert figures["send_backs_per_case"] == 0.5 and figures["urges_per_case"] == 1.0
    assert figures["extensions_per_case"] == 0.5 and figures["suspensions_per_case"] == 0.5
    assert figures["withdrawals_per_case"] == 0 and figures["not_accepted_share"] == 0
    # The tax review was sent back, not completed: the department has a row for its moves all the same.
    tax_row = next(row for row in figures["departments"] if row["code"] == "tax")
    assert tax_row["tasks"] == 0
    market_row = next(row for row in figures["departments"] if row["code"] == "market")
    assert market_row["casework"] == {"send_backs": 0, "urges": 0, "extensions": 0}
    assert tax_row["casework"] == {"send_backs": 1, "urges": 2, "extensions": 1}

    client.force_login(supervisor)
    page = client.get("/reports/business_registration/").content.decode()
    assert 'data-casework-department="tax"' in page and "data-casework" in page
