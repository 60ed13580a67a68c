"""The task form is built from the BPMN's form fields: a designer adds fields to a user task,
deploys, and the page shows them, checks them and hands typed values to the engine, with no code
changed. Also: a rejection's reason and a correction's notice show on the case page."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from desk.forms import task_form_class
from engine.actions import do_claim_task, do_complete_task
from engine.models import Case
from engine.state import load_workflow
from processes.actions import do_deploy_version
from worklists.models import WorkItem

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
APPLICATION = {
    "applicant_name": "王芳",
    "applicant_id_number": "11010519491231002X",
    "enterprise_name": "北京并联科技有限公司",
    "enterprise_uscc": "91350100M000100Y43",
    "registered_capital": "100",
    "business_scope": "软件开发",
    "address": "北京市朝阳区",
}
NEW_FIELDS = """
          <camunda:formField id="opinion" label="审查意见 Opinion" type="string" />
          <camunda:formField id="invoice_count" label="发票数量 Number of invoices" type="long">
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
          </camunda:formField>
          <camunda:formField id="invoice_kind" label="发票种类 Kind of invoice" type="enum">
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
            <camunda:value id="vat_special" name="增值税专用发票 VAT special" />
            <camunda:value id="vat_ordinary" name="增值税普通发票 VAT ordinary" />
          </camunda:formField>
          <camunda:formField id="tax_control_device" label="领用税控设备 Tax-control device" type="boolean">
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
          </camunda:formField>
          <camunda:formField id="first_issue_on" label="首次开票日期 First invoice on" type="date" />
"""


@pytest.fixture(autouse=True)
def private_materials(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    cache.clear()


@pytest.fixture
def richer_version(reference):
    """Version 3: the tax review asks four more things. Only the BPMN file changed."""
    xml = (settings.BASE_DIR / "bpmn" / "business_registration.bpmn").read_text()
    old = '<camunda:formField id="opinion" label="审查意见 Opinion" type="string" />'
    start = xml.index('<bpmn:userTask id="tax_review"')
    at = xml.index(old, start)
    xml = xml[:at] + NEW_FIELDS.strip() + xml[at + len(old) :]
    do_deploy_version(xml.encode(), "bpmn/business_registration_v3.bpmn")
    version = reference["item"].process.latest_version()
    assert version.number == 3
    return version


@pytest.fixture
def tax_item(client, reference, frontdesk, clerk_market, clerk_tax, richer_version):
    client.force_login(frontdesk)
    files = {f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF) for i, _ in enumerate(reference["item"].materials)}
    response = client.post(
        "/intake/", {**APPLICATION, "service_item": "business_registration", "intake_key": str(uuid.uuid4()), **files}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.version == richer_version
    for spec, user, outcome in (("intake", frontdesk, "accept"), ("market_review", clerk_market, "approve")):
        item = WorkItem.objects.get(case=case, task_spec=spec)
        do_claim_task(item.pk, acting_user=user)
        do_complete_task(item.pk, acting_user=user, outcome=outcome)
    item = WorkItem.objects.get(case=case, task_spec="tax_review")
    client.force_login(clerk_tax)
    client.post(f"/tasks/{item.pk}/claim/", {"seen": "open:-"})
    return item


def test_fields_added_in_the_bpmn_appear_on_the_task_page_and_reach_the_engine_typed(client, tax_item, clerk_tax):
    html = client.get(f"/tasks/{tax_item.pk}/").content.decode()
    for name in (
        "data-opinion",
        "data-invoice_count",
        "data-invoice_kind",
        "data-tax_control_device",
        "data-first_issue_on",
    ):
        assert f'name="{name}"' in html, name
    assert "增值税专用发票 VAT special" in html and 'type="date"' in html and 'type="number"' in html

    seen = f"open:{clerk_tax.pk}"
    wrong = client.post(
        f"/tasks/{tax_item.pk}/complete/",
        {
            "seen": seen,
            "outcome": "approve",
            "data-invoice_count": "many",
            "data-invoice_kind": "gold",
            "data-first_issue_on": "2026-13-40",
        },
    )
    assert wrong.status_code == 400
    errors = wrong.context["data_form"].errors
    assert set(errors) == {"invoice_count", "invoice_kind", "tax_control_device", "first_issue_on"}
    assert WorkItem.objects.get(pk=tax_item.pk).state == "open"

    done = client.post(
        f"/tasks/{tax_item.pk}/complete/",
        {
            "seen": seen,
            "outcome": "approve",
            "data-opinion": "准予领用",
            "data-invoice_count": "25",
            "data-invoice_kind": "vat_special",
            "data-tax_control_device": "true",
            "data-first_issue_on": "2026-12-01",
        },
    )
    assert done.status_code == 302
    item = WorkItem.objects.get(pk=tax_item.pk)
    assert (item.state, item.outcome) == ("completed", "approve")
    case = Case.objects.select_related("instance", "version").get(pk=item.case_id)
    data = load_workflow(case.version, case.instance.state).tasks[item.task_id].data
    assert data["invoice_count"] == 25 and data["invoice_kind"] == "vat_special"
    assert (
        data["tax_control_device"] is True and data["first_issue_on"] == "2026-12-01" and data["opinion"] == "准予领用"
    )
    assert data["tax_review_outcome"] == "approve"


def test_a_rejection_and_a_correction_request_carry_their_words_to_the_case_page(
    client, tax_item, clerk_tax, clerk_police, frontdesk
):
    seen = f"open:{clerk_tax.pk}"
    fields = {"data-invoice_count": "1", "data-invoice_kind": "vat_ordinary", "data-tax_control_device": "false"}
    response = client.post(
        f"/tasks/{tax_item.pk}/complete/",
        {
            "seen": seen,
            "outcome": "correction",
            **fields,
            "missing_materials": ["章程 articles of association"],
            "missing_other": "法定代表人签字页\n经营场所照片",
            "notice": "请一次性补齐以上材料。",
        },
    )
    assert response.status_code == 302
    police = WorkItem.objects.get(case=tax_item.case, task_spec="police_review")
    client.force_login(clerk_police)
    client.post(f"/tasks/{police.pk}/claim/", {"seen": "open:-"})
    client.post(
        f"/tasks/{police.pk}/complete/",
        {"seen": f"open:{clerk_police.pk}", "outcome": "reject", "reject_reason": "公章样式不合规"},
    )

    client.force_login(frontdesk)
    html = client.get(f"/cases/{tax_item.case.number}/").content.decode()
    assert 'data-decision="tax:correction"' in html and 'data-decision="police:reject"' in html
    assert "章程 articles of association；法定代表人签字页；经营场所照片" in html and "请一次性补齐以上材料。" in html
    assert "公章样式不合规" in html
    # The form's answers are shown by their BPMN labels, as the clerk chose them.
    assert "发票种类:</span> 增值税普通发票" in html  # the BPMN's labels, in the reader's language
    assert "领用税控设备:</span> 否" in html


def test_a_form_class_is_made_from_any_list_of_form_fields():
    form_class = task_form_class(
        [
            {"id": "count", "label": "数量", "type": "long", "required": True},
            {"id": "ok", "label": "同意", "type": "boolean", "required": False, "default": "true"},
            {"id": "kind", "label": "种类", "type": "enum", "required": False, "values": [{"id": "a", "name": "A"}]},
            {"id": "on", "label": "日期", "type": "date", "required": False},
            {"id": "note", "label": "备注", "type": "custom-type", "required": False, "default": "无"},
        ]
    )
    form = form_class({"x-count": "3", "x-ok": "on", "x-kind": "", "x-on": "2026-01-02"}, prefix="x")
    assert form.is_valid(), form.errors
    assert form.data_for_engine() == {"count": 3, "ok": True, "kind": "", "on": "2026-01-02", "note": ""}
    assert form_class(prefix="x")["note"].initial == "无" and form_class(prefix="x")["ok"].initial is True
