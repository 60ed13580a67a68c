"""Wrong input through the pages: each gets a clear message where the clerk looks, and nothing is
half-saved (no case, no material row, no file, no event, no changed task)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.actions import do_claim_task, do_complete_task
from engine.models import Case, Event
from tests.applications import APPLICATION, PDF
from worklists.models import Material, WorkItem
from worklists.people import do_create_staff

GOOD = APPLICATION


@pytest.fixture(autouse=True)
def private_materials(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    cache.clear()  # badge counts are cached per department and user id; ids repeat between tests
    return settings.MATERIALS_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def intake_post(client, item, *, key=None, files=None, **changes):
    files = (
        files
        if files is not None
        else {f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF) for i, _ in enumerate(item.materials)}
    )
    data = {**GOOD, "service_item": item.code, "intake_key": str(key or uuid.uuid4()), **changes, **files}
    return client.post("/intake/", data)


def field_block(html: str, name: str) -> str:
    """The markup of one field's box on the page: from its data-field to the next one."""
    start = html.index(f'data-field="{name}"')
    following = html.find("data-field=", start + 10)
    return html[start : following if following > 0 else len(html)]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context and "messages" in response.context else []


# 一窗受理 ---------------------------------------------------------------------------------------


def _pdf_files(item, **overrides):
    files = {f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF) for i, _ in enumerate(item.materials)}
    files.update(overrides)
    return {k: v for k, v in files.items() if v is not None}


@pytest.mark.parametrize(
    "case, field, message",
    [
        ("wrong resident ID", "applicant_id_number", "身份证号码不正确"),
        ("wrong credit code", "enterprise_uscc", "统一社会信用代码不正确"),
        ("missing material", "material_2", "缺少材料：住所证明。"),
        ("oversized upload", "material_0", "超过 1 KB 的上限"),
        ("wrong-type upload", "material_1", "不是 PDF、JPEG 或 PNG 文件"),
    ],
)
def test_a_wrong_application_is_refused_next_to_its_field_and_nothing_is_stored(
    client, reference, frontdesk, private_materials, settings, case, field, message
):
    settings.MATERIAL_MAX_BYTES = 1024
    item = reference["item"]
    client.force_login(frontdesk)
    changes, files = {}, _pdf_files(item)
    if case == "wrong resident ID":
        changes["applicant_id_number"] = "110105194912310021"
    elif case == "wrong credit code":
        changes["enterprise_uscc"] = "91350100M000100Y44"
    elif case == "missing material":
        files = _pdf_files(item, material_2=None)
    elif case == "oversized upload":
        files = _pdf_files(item, material_0=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000))
    else:
        files = _pdf_files(item, material_1=SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100))

    response = intake_post(client, item, files=files, **changes)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_block(html, field), field_block(html, field)
    assert "申请尚未受理" in html
    # The other fields keep what the clerk typed; the key stays, so the corrected form makes one case.
    assert GOOD["enterprise_name"] in html
    assert not Case.objects.exists() and not Material.objects.exists() and stored_files(private_materials) == []
    assert not Event.objects.filter(kind=Event.Kind.CASE_STARTED).exists()


def test_the_same_intake_form_submitted_twice_makes_one_case_and_says_so(
    client, reference, frontdesk, private_materials
):
    item, key = reference["item"], uuid.uuid4()
    client.force_login(frontdesk)
    first = intake_post(client, item, key=key)
    case = Case.objects.get()
    assert first.status_code == 302 and first.url == f"/cases/{case.number}/"
    page = client.get(first.url)
    assert f"已受理，办件编号 {case.number}" in page.content.decode()

    again = intake_post(client, item, key=key)
    assert again.status_code == 302 and again.url == f"/cases/{case.number}/"
    assert "未重复建件" in client.get(again.url).content.decode()
    assert Case.objects.count() == 1
    assert Material.objects.count() == len(item.materials) == len(stored_files(private_materials))


def test_only_the_front_desk_takes_in(client, reference, clerk_tax):
    client.force_login(clerk_tax)
    response = intake_post(client, reference["item"])
    assert response.status_code == 403 and "只有综合窗口可以受理申请" in response.content.decode()
    assert not Case.objects.exists()


# 任务 -------------------------------------------------------------------------------------------


@pytest.fixture
def tax_item(client, reference, frontdesk, clerk_market):
    """A case taken in through the page, accepted and approved by market regulation: the four
    parallel reviews are open."""
    client.force_login(frontdesk)
    assert intake_post(client, reference["item"]).status_code == 302
    case = Case.objects.get()
    for spec, user, outcome in (("intake", frontdesk, "accept"), ("market_review", clerk_market, "approve")):
        item = WorkItem.objects.get(case=case, task_spec=spec)
        do_claim_task(item.pk, acting_user=user)
        do_complete_task(item.pk, acting_user=user, outcome=outcome)
    client.logout()
    return WorkItem.objects.get(case=case, task_spec="tax_review", state="open")


def task_snapshot(item) -> tuple:
    item = WorkItem.objects.get(pk=item.pk)
    return (
        item.state,
        item.assignee_id,
        item.outcome,
        item.completed_by_id,
        Event.objects.filter(case=item.case_id).count(),
    )


def test_a_stale_form_after_another_clerk_completed_the_task_changes_nothing(client, tax_item, clerk_tax):
    other = do_create_staff("clerk_tax_2", role="clerk", department="tax")
    client.force_login(clerk_tax)
    page = client.get(f"/tasks/{tax_item.pk}/")
    assert 'name="seen" value="open:-"' in page.content.decode()  # the page as drawn: unclaimed
    # Meanwhile a colleague claims it and decides.
    do_claim_task(tax_item.pk, acting_user=other)
    do_complete_task(tax_item.pk, acting_user=other, outcome="approve", data={"opinion": "同意"})
    before = task_snapshot(tax_item)

    claim = client.post(f"/tasks/{tax_item.pk}/claim/", {"seen": "open:-"}, follow=True)
    complete = client.post(
        f"/tasks/{tax_item.pk}/complete/", {"seen": "open:-", "outcome": "reject", "reject_reason": "x"}, follow=True
    )

    assert any("未作任何更改" in m for m in messages_of(claim)), messages_of(claim)
    said = messages_of(complete)
    assert any(
        "此任务已不在办理中" in m and "clerk_tax_2" in m and "已办" in m and "未作任何更改" in m for m in said
    ), said
    assert any("clerk_tax_2" in m for m in said), said
    assert task_snapshot(tax_item) == before
    assert WorkItem.objects.get(pk=tax_item.pk).outcome == "approve"


def test_a_double_submit_of_the_task_form_completes_once(client, tax_item, clerk_tax):
    client.force_login(clerk_tax)
    client.post(f"/tasks/{tax_item.pk}/claim/", {"seen": "open:-"})
    seen = f"open:{clerk_tax.pk}"
    first = client.post(f"/tasks/{tax_item.pk}/complete/", {"seen": seen, "outcome": "approve", "data-opinion": "同意"})
    assert first.status_code == 302 and first.url == "/work/?tab=inbox"
    after_first = task_snapshot(tax_item)
    second = client.post(
        f"/tasks/{tax_item.pk}/complete/", {"seen": seen, "outcome": "approve", "data-opinion": "同意"}, follow=True
    )
    assert any("未作任何更改" in m for m in messages_of(second))
    assert task_snapshot(tax_item) == after_first
    assert Event.objects.filter(work_item=tax_item.pk, kind=Event.Kind.TASK_COMPLETED).count() == 1


def test_a_task_changed_since_the_page_was_drawn_is_not_claimed_over(client, tax_item, clerk_tax):
    other = do_create_staff("clerk_tax_2", role="clerk", department="tax")
    client.force_login(clerk_tax)
    do_claim_task(tax_item.pk, acting_user=other)
    before = task_snapshot(tax_item)
    response = client.post(f"/tasks/{tax_item.pk}/claim/", {"seen": "open:-"}, follow=True)
    assert any("clerk_tax_2" in m and "已有变动" in m for m in messages_of(response)), messages_of(response)
    assert task_snapshot(tax_item) == before


@pytest.mark.parametrize(
    "post, field, message",
    [
        ({"outcome": "reject"}, "reject_reason", "不予通过须写明理由"),
        ({"outcome": "correction", "notice": "请补交"}, "missing_materials", "一次性列出所有缺少的材料"),
        (
            {"outcome": "correction", "missing_materials": ["章程 articles of association"]},
            "notice",
            "请填写补正告知书",
        ),
        ({"outcome": "teleport"}, None, "请选择办理结果"),
    ],
)
def test_a_decision_without_what_it_needs_is_refused_and_the_task_stays_open(
    client, tax_item, clerk_tax, post, field, message
):
    client.force_login(clerk_tax)
    client.post(f"/tasks/{tax_item.pk}/claim/", {"seen": "open:-"})
    before = task_snapshot(tax_item)
    response = client.post(f"/tasks/{tax_item.pk}/complete/", {"seen": f"open:{clerk_tax.pk}", **post})
    assert response.status_code == 400
    html = response.content.decode()
    if field:
        form = response.context["decision"]
        assert message in " ".join(form.errors[field])
        # shown inside the field's fieldset, beside the field
        assert re.search(rf'name="{field}".*?{re.escape(message)}', html, re.S)
    else:
        assert message in html
    assert task_snapshot(tax_item) == before


def test_another_department_s_task_is_refused_with_the_gate_s_message(client, tax_item, clerk_police):
    client.force_login(clerk_police)
    before = task_snapshot(tax_item)
    page = client.get(f"/tasks/{tax_item.pk}/")
    assert page.status_code == 403
    html = page.content.decode()
    assert "此任务属于税务。" in html and "This task" not in html
    assert "data-forbidden" in html and "无权访问" in html  # the friendly 403 page, in the site's frame
    client.cookies["django_language"] = "en"
    english = client.get(f"/tasks/{tax_item.pk}/").content.decode()
    assert "This task belongs to Taxation." in english and "此任务" not in english
    client.cookies["django_language"] = "zh-hans"
    for action in ("claim", "complete", "release"):
        response = client.post(f"/tasks/{tax_item.pk}/{action}/", {"seen": "open:-", "outcome": "approve"})
        assert response.status_code == 403, action
        assert "不是您的部门" in response.content.decode()
    assert task_snapshot(tax_item) == before


def test_a_material_of_a_case_outside_the_department_is_refused(client, tax_item, designer, clerk_tax):
    material = Material.objects.first()
    client.force_login(designer)
    assert client.get(f"/materials/{material.pk}/").status_code == 403
    client.force_login(clerk_tax)
    response = client.get(f"/materials/{material.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert client.get(f"/materials/{uuid.uuid4()}/").status_code == 404
