"""Issuing and revoking e-licences through the write path; the fixtures the other licence tests share."""

import logging

import pytest
from django.utils import translation

from engine.actions import do_complete_task, do_deliver_message, do_start_case
from engine.errors import InvalidInput
from engine.models import Case, Event
from licences import signing
from licences.actions import do_issue_licence, do_revoke_licence, issue_for_case
from licences.models import Licence
from worklists.models import WorkItem

ENTERPRISE = "北京并联科技有限公司"
USCC = "91350100M000100Y43"
APPLICANT = "张三丰"
APPLICANT_ID = "11010519491231002X"


@pytest.fixture
def keys(settings, tmp_path):
    """An empty keys directory of the test's own and no configured keys: the embedded default."""
    settings.LICENCE_KEYS_DIR = tmp_path / "keys"
    settings.LICENCE_SIGNING_KEYS = []
    settings.SITE_ROOT = "https://zwfw.example.gov.cn"
    return settings.LICENCE_KEYS_DIR


@pytest.fixture
def case(reference, keys):
    return do_start_case(
        version=reference["parallel"],
        service_item=reference["item"],
        applicant_name=APPLICANT,
        applicant_id_number=APPLICANT_ID,
        enterprise_name=ENTERPRISE,
        enterprise_uscc=USCC,
    )


@pytest.fixture
def licence(case):
    return do_issue_licence(case, kind="business_licence")


def test_issue_signs_the_payload_and_logs_licence_issued(case, clerk_market):
    licence = do_issue_licence(case, kind="business_licence", acting_user=clerk_market)
    assert licence.number.startswith("BL-LIC-") and len(licence.number) == len("BL-LIC-2026-000001")
    assert signing.verify(bytes(licence.payload), licence.signature, licence.key_id)
    payload = bytes(licence.payload).decode("utf-8")
    assert ENTERPRISE in payload and " " not in payload.replace("并联 Binglian", "")  # canonical: no spaces
    assert APPLICANT not in payload and APPLICANT_ID not in payload
    event = Event.objects.get(case=case, kind="licence_issued")
    assert event.actor == clerk_market and event.data["licence"] == licence.number


def test_numbers_run_on_within_the_year(case):
    first = do_issue_licence(case, kind="business_licence")
    second = do_issue_licence(case, kind="company_seal")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_first_use_generates_a_key_and_says_so(case, keys, caplog):
    with caplog.at_level(logging.WARNING, logger="licences.signing"):
        licence = do_issue_licence(case, kind="business_licence")
    assert (keys / f"{licence.key_id}.pem").is_file()
    assert "generated" in caplog.text and licence.key_id in caplog.text
    assert do_issue_licence(case, kind="company_seal").key_id == licence.key_id  # and reuses it


def test_revoke_sets_status_date_reason_and_logs_licence_revoked(licence, supervisor):
    do_revoke_licence(licence, reason="告知承诺不实 false commitment", acting_user=supervisor)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED and licence.revoked_at is not None
    assert Event.objects.get(kind="licence_revoked").data["reason"] == "告知承诺不实 false commitment"
    with pytest.raises(InvalidInput, match=f"^证照 {licence.number} 已撤销。$"):
        do_revoke_licence(licence, reason="again")


def test_revoke_needs_a_reason(licence):
    with pytest.raises(InvalidInput, match="^撤销证照须说明理由。$"):
        do_revoke_licence(licence, reason="  ")
    with translation.override("en"), pytest.raises(InvalidInput, match="^A revocation needs a reason.$"):
        do_revoke_licence(licence, reason="  ")


def test_a_case_without_enterprise_data_gets_no_licence(reference, keys):
    case = do_start_case(version=reference["parallel"], service_item=reference["item"], applicant_name=APPLICANT)
    with pytest.raises(InvalidInput):
        do_issue_licence(case, kind="business_licence")
    assert not Licence.objects.exists() and not Event.objects.filter(kind="licence_issued").exists()


def _complete(case, task_spec, outcome="approve"):
    item = WorkItem.objects.get(case=case, task_spec=task_spec, state="open")
    do_complete_task(item.pk, acting_user=None, outcome=outcome)


def test_the_process_issues_the_bundle_once_and_issue_for_case_adds_nothing(case, clerk_police):
    with pytest.raises(InvalidInput):
        issue_for_case(case)  # still running
    _complete(case, "intake", "accept")
    _complete(case, "market_review")
    for spec in ["police_review", "tax_review", "hrss_review", "fund_review"]:
        _complete(case, spec)
    do_deliver_message(case.number, "bank_account_opened", payload={"account": "6222"})
    do_deliver_message(case.number, "service_rated", payload={"rating": 5})
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    # The issue_licences task of the process signed the bundle when the departments agreed.
    issued = list(case.licences.order_by("id"))
    assert [licence.kind for licence in issued] == ["business_licence", "company_seal", "invoice_eligibility"]
    assert all(signing.verify(bytes(licence.payload), licence.signature, licence.key_id) for licence in issued)
    assert issue_for_case(case) == issued  # a retry issues nothing new
    assert Event.objects.filter(case=case, kind="licence_issued").count() == 3
