"""A new kind of licence is a BPMN step and configuration, never code: an administrator adds the
kind in the admin, a designer deploys a process whose step issues it, and the case's licence is
signed and verifiable like any other."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import translation

from engine.actions import do_complete_task, do_start_case
from licences.models import Licence, LicenceKind
from processes.actions import do_deploy_version
from processes.bpmn_file import BpmnFileError
from worklists.models import WorkItem

from .conftest import FIXTURES

PERMIT = FIXTURES / "engine" / "food_business_permit.bpmn"


def test_a_food_business_permit_is_configured_deployed_issued_and_verified(client, reference):
    refused = None
    try:
        do_deploy_version(PERMIT.read_bytes(), "food_business_permit.bpmn")
    except BpmnFileError as error:
        refused = str(error)
    assert refused and "未知的证照类型“food_business_permit”" in refused  # nobody configured it yet

    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    added = client.post(
        "/admin/licences/licencekind/add/",
        {
            "code": "food_business_permit",
            "name": "食品经营许可证",
            "name_en": "food business permit",
            "department": "market",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]

    version = do_deploy_version(PERMIT.read_bytes(), "food_business_permit.bpmn").version
    case = do_start_case(version=version, enterprise_name="北京好味餐饮有限公司", enterprise_uscc="91110108MA01KPGW0X")
    do_complete_task(WorkItem.objects.get(case=case, task_spec="review").pk, outcome="approve")
    case.refresh_from_db()
    assert (case.status, case.result) == ("completed", "granted")

    licence = Licence.objects.get(case=case)
    assert (licence.kind, licence.kind_name, licence.kind_label) == (
        "food_business_permit",
        "食品经营许可证",
        "食品经营许可证",
    )
    with translation.override("en"):
        assert licence.kind_label == "food business permit"  # the kind's name in the reader's language
    answer = client.get(f"/api/verify/{licence.number}/").json()
    assert (answer["status"], answer["kind"], answer["kind_name"], answer["signature_valid"]) == (
        "valid",
        "food_business_permit",
        "食品经营许可证",
        True,
    )
    page = client.get(f"/verify/{licence.number}/").content.decode()
    assert "食品经营许可证" in page and "北京好味餐饮有限公司" in page
    english = client.get(f"/verify/{licence.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "food business permit" in english and "食品经营许可证" not in english
    # Renaming the kind later changes the catalogue, not what the licence says it is.
    LicenceKind.objects.filter(code="food_business_permit").update(name="食品经营许可证（新）")
    assert client.get(f"/api/verify/{licence.number}/").json()["kind_name"] == "食品经营许可证"
