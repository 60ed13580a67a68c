"""告知承诺制 end to end: the normal review; a commitment whose post-check passes; a commitment
found untrue whose rectification period runs out, so that the licence is revoked, the breach
lands in the enterprise's credit record, the case's other results are flagged, and anyone who
checks the licence is told it is revoked.

Intake, post-check and rectification go through the pages as the clerks would; the other
departments act through the write path; the rectification period ends through the timer sweep.
"""

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from engine.actions import do_claim_task, do_complete_task, do_deliver_message, do_fire_due_timers
from engine.models import Case, Event, WaitingTimer
from licences.models import CreditRecord, Licence
from sla.notification_models import Notification
from tests.applications import APPLICATION, PDF
from tests.conftest import decision
from tests.test_i18n__pages import chinese_in, visible
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

DEPARTMENTS = {
    "police_review": "clerk_police",
    "tax_review": "clerk_tax",
    "hrss_review": "clerk_hrss",
    "fund_review": "clerk_fund",
}
BUNDLE = ["business_licence", "company_seal", "invoice_eligibility"]


@pytest.fixture(autouse=True)
def private_materials(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"


def user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def take_in(client, reference, *, commit: bool, **changes) -> Case:
    client.force_login(user("frontdesk"))
    files = {f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF) for i, _ in enumerate(reference["item"].materials)}
    form = {**APPLICATION, "service_item": "business_registration", "intake_key": str(uuid.uuid4()), **files, **changes}
    if commit:
        form["notify_commit"] = "on"
    response = client.post("/intake/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.order_by("-id").first()


def work(case, spec, username, outcome="approve"):
    item = WorkItem.objects.get(case=case, task_spec=spec, state="open")
    clerk = user(username)
    do_claim_task(item.pk, acting_user=clerk)
    do_complete_task(item.pk, acting_user=clerk, outcome=outcome, data=decision(outcome, item.version.user_task(spec)))


def work_on_page(client, case, spec, username, outcome, **fields):
    item = WorkItem.objects.get(case=case, task_spec=spec, state="open")
    clerk = user(username)
    client.force_login(clerk)
    assert client.post(f"/tasks/{item.pk}/claim/", {"seen": "open:-"}).status_code == 302
    data = {"seen": f"open:{clerk.pk}", "outcome": outcome, **{f"data-{k}": v for k, v in fields.items()}}
    response = client.post(f"/tasks/{item.pk}/complete/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WorkItem.objects.get(pk=item.pk).state == WorkItem.State.COMPLETED


def departments_and_rating(case):
    work(case, "intake", "frontdesk", "accept") if WorkItem.objects.filter(
        case=case, task_spec="intake", state="open"
    ).exists() else None
    for spec, clerk in DEPARTMENTS.items():
        work(case, spec, clerk)
    do_deliver_message(case.number, "bank_account_opened", payload={"account": "6222"})
    do_deliver_message(case.number, "service_rated", payload={"rating": 5})


def kinds(case):
    return sorted(case.licences.values_list("kind", flat=True))


def test_the_normal_review_issues_the_bundle_after_the_departments_agree(client, reference):
    case = take_in(client, reference, commit=False)
    work(case, "intake", "frontdesk", "accept")
    assert kinds(case) == []  # nothing before the substantive review
    work(case, "market_review", "clerk_market")
    departments_and_rating(case)
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
    assert kinds(case) == BUNDLE and not case.licences.exclude(status="valid").exists()
    assert not WorkItem.objects.filter(case=case, task_spec="post_check").exists()
    assert case.concluded_at is not None and case.concluded_at <= case.ended_at
    for licence in case.licences.all():
        assert 'data-status="valid"' in client.get(f"/verify/{licence.number}/").content.decode()


def test_a_commitment_gets_the_licence_at_once_and_a_passed_post_check_keeps_it(client, reference):
    case = take_in(client, reference, commit=True)
    assert case.application["commitment"]["decision"] == "notify_commit_eligibility v1"
    assert case.application["commitment"]["text"] == reference["item"].commitment_text
    work(case, "intake", "frontdesk", "accept")
    # 马上办: the business licence is out before any department has looked at the case.
    assert kinds(case) == ["business_licence"]
    assert not WorkItem.objects.filter(case=case, task_spec="market_review").exists()
    departments_and_rating(case)
    post_check = WorkItem.objects.get(case=case, task_spec="post_check", state="open")
    assert post_check.department_id == "market"
    # The post-check's own deadline: the service item's window (20 working days), not the case's.
    assert post_check.limit_working_days == reference["item"].post_check_window_working_days == 20
    assert post_check.due_at > post_check.opened_at + dt.timedelta(days=20)
    work_on_page(client, case, "post_check", "clerk_market", "pass", findings="经营场所与承诺一致")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_issued"
    assert kinds(case) == BUNDLE and set(case.licences.values_list("status", flat=True)) == {"valid"}
    assert not CreditRecord.objects.exists()


def test_an_untrue_commitment_unrectified_is_revoked_recorded_and_flagged_and_verification_says_revoked(
    client, reference
):
    case = take_in(client, reference, commit=True)
    work(case, "intake", "frontdesk", "accept")
    business_licence = case.licences.get(kind="business_licence")
    departments_and_rating(case)
    work_on_page(
        client, case, "post_check", "clerk_market", "fail", findings="住所不存在 the registered address does not exist"
    )
    assert WorkItem.objects.filter(case=case, task_spec="rectification", state="open").exists()
    period = WaitingTimer.objects.get(
        case=case, task_spec="rectification_period_over", fired_at=None, cancelled_at=None
    )
    opened = Event.objects.get(case=case, kind="task_opened", activity="rectification").at
    assert 58 <= (period.due_at - opened).days <= 62  # P2M, set in the BPMN
    # Still valid while the enterprise may rectify; the sweep before the end of the period does nothing.
    assert do_fire_due_timers(now=period.due_at - dt.timedelta(hours=1)) == 0
    assert 'data-status="valid"' in client.get(f"/verify/{business_licence.number}/").content.decode()

    with translation.override("en"):  # whoever's language is active, the records are in the site's
        assert do_fire_due_timers(now=period.due_at + dt.timedelta(minutes=1)) == 1
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_activity == "end_revoked"
    assert WorkItem.objects.get(case=case, task_spec="rectification").state == WorkItem.State.CANCELLED
    business_licence.refresh_from_db()
    assert business_licence.status == Licence.Status.REVOKED
    assert business_licence.revocation_reason == (
        "告知承诺不实，整改期满未整改。核查情况：住所不存在 the registered address does not exist"
    )

    client.logout()
    page = client.get(f"/verify/{business_licence.number}/").content.decode()
    assert 'data-status="revoked"' in page and "已撤销" in page
    assert client.get(f"/api/verify/{business_licence.number}/").json()["status"] == "revoked"

    # The credit record: public, by the enterprise's credit code, with no personal data.
    record = CreditRecord.objects.get()
    assert record.enterprise_uscc == APPLICATION["enterprise_uscc"] and record.licence == business_licence
    assert record.department == "market"
    answer = client.get(f"/api/credit/{APPLICATION['enterprise_uscc']}/").json()
    assert [r["licence"] for r in answer["records"]] == [business_licence.number]
    assert answer["records"][0]["kind"] == "false_commitment"
    credit_page = client.get(f"/credit/{APPLICATION['enterprise_uscc']}/").content.decode()
    assert business_licence.number in credit_page and APPLICATION["applicant_name"] not in credit_page

    # The case's other results stay valid but are flagged, and their departments are told.
    others = case.licences.exclude(kind="business_licence")
    assert {o.kind for o in others} == {"company_seal", "invoice_eligibility"}
    assert all(o.status == "valid" and o.flagged_at is not None for o in others)
    assert {o.flag_reason for o in others} == {f"同一办件（{case.number}）的营业执照因承诺不实被撤销，请复核本证照。"}
    flagged = Event.objects.filter(case=case, kind="result_flagged")
    assert sorted(flagged.values_list("department", flat=True)) == ["police", "tax"]
    told = set(Notification.objects.filter(kind="result_flagged").values_list("recipient__username", flat=True))
    assert {"clerk_police", "clerk_tax"} <= told
    titles = set(Notification.objects.filter(kind="result_flagged").values_list("title", flat=True))
    assert titles == {f"证照待复核：{o.number}" for o in others}
    # The tax clerk reads the notice in the language of the page.
    seal_or_invoice = others.get(kind="invoice_eligibility")
    client.force_login(get_user_model().objects.get(username="clerk_tax"))
    chinese = client.get("/sla/notifications/").content.decode()
    assert f"证照待复核：{seal_or_invoice.number}" in chinese and "因承诺不实被撤销" in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/sla/notifications/").content.decode()
    assert f"Licence to review: {seal_or_invoice.number}" in english
    assert f"The business licence of case {case.number} was revoked for a false commitment" in english
    assert "证照待复核" not in english
    client.cookies.pop("django_language")
    log = list(case.events.order_by("id").values_list("kind", flat=True))
    assert (
        log.index("timer_fired") < log.index("licence_revoked") < log.index("credit_recorded") < log.index("case_ended")
    )


def test_rectified_in_time_keeps_the_licence(client, reference):
    case = take_in(client, reference, commit=True)
    work(case, "intake", "frontdesk", "accept")
    departments_and_rating(case)
    work_on_page(client, case, "post_check", "clerk_market", "fail", findings="经营范围超出承诺")
    work_on_page(client, case, "rectification", "clerk_market", "rectified", rectification_report="已办理变更登记")
    case.refresh_from_db()
    assert case.end_activity == "end_issued"
    assert set(case.licences.values_list("status", flat=True)) == {"valid"} and not CreditRecord.objects.exists()
    assert WaitingTimer.objects.get(case=case, task_spec="rectification_period_over").cancelled_at is not None


def test_a_restricted_business_scope_may_not_commit_and_the_form_keeps_everything(client, reference):
    client.force_login(user("frontdesk"))
    files = {f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF) for i, _ in enumerate(reference["item"].materials)}
    scope = "危险化学品经营；仓储服务"
    response = client.post(
        "/intake/",
        {
            **APPLICATION,
            "business_scope": scope,
            "service_item": "business_registration",
            "intake_key": str(uuid.uuid4()),
            "notify_commit": "on",
            **files,
        },
    )
    assert response.status_code == 400  # the form, refused, with its message
    page = response.content.decode()
    assert "不能选择告知承诺制" in page and "危险化学品" in page
    assert scope in page and APPLICATION["enterprise_name"] in page  # nothing the clerk typed is lost
    assert not Case.objects.exists()
    # Without the commitment the same application goes into the normal review.
    take_in(client, reference, commit=False, business_scope=scope)
    assert Case.objects.count() == 1


def test_the_commitment_page_counts_time_to_licence_and_post_checks_per_department(client, reference):
    import time_machine
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        full = take_in(client, reference, commit=False)
        work(full, "intake", "frontdesk", "accept")
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):  # the review takes a morning
        work(full, "market_review", "clerk_market")
        departments_and_rating(full)
    kept = take_in(client, reference, commit=True)
    departments_and_rating(kept)
    work(kept, "post_check", "clerk_market", "pass")
    lost = take_in(client, reference, commit=True)
    departments_and_rating(lost)
    work(lost, "post_check", "clerk_market", "fail")
    do_fire_due_timers(
        now=WaitingTimer.objects.get(case=lost, task_spec="rectification_period_over").due_at + dt.timedelta(minutes=1)
    )

    client.force_login(user("supervisor"))
    page = client.get("/commitment/").content.decode()
    from licences import figures

    by_route = {row.committed: row for row in figures.time_to_licence()}
    assert by_route[True].working_days.count == 2 and by_route[False].working_days.count == 1
    # With a commitment the licence comes at intake; without, after the market review.
    assert by_route[False].hours.median == pytest.approx(3.0, abs=0.01)
    assert by_route[True].hours.median < 0.1
    (market,) = figures.post_check_outcomes()
    assert (market.department, market.passed, market.failed, market.revoked, market.rectified) == ("market", 1, 1, 1, 0)
    assert 'data-department="market"' in page and lost.licences.get(kind="business_licence").number in page
    assert "市场监管" in page and "company seal record" not in page
    english = visible(client.get("/commitment/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Market regulation" in english and "company seal record" in english  # a licence flagged for review
    assert chinese_in(english.replace(APPLICATION["enterprise_name"], "")) == set()
    client.force_login(user("clerk_tax"))
    assert client.get("/commitment/").status_code == 403
