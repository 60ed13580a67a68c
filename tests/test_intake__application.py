"""一窗受理: one application, taken in once, checked before anything is stored."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.models import Case
from tests.applications import APPLICATION, PDF, PNG
from worklists.intake import IntakeForm, do_take_in_application, new_intake_key
from worklists.models import Material, WorkItem

GOOD = APPLICATION


@pytest.fixture(autouse=True)
def private_materials(settings, tmp_path):
    settings.MATERIALS_ROOT = tmp_path / "materials"
    return settings.MATERIALS_ROOT


def files_for(item, **overrides):
    files = {
        f"material_{i}": SimpleUploadedFile(f"m{i}.pdf", PDF, "application/pdf") for i, _ in enumerate(item.materials)
    }
    files.update(overrides)
    return files


def form_for(item, files=None, key=None, **changes):
    data = {**GOOD, "intake_key": str(key or new_intake_key()), **changes}
    return IntakeForm(data, files if files is not None else files_for(item), service_item=item)


def test_a_complete_application_starts_the_case_with_its_materials_stored_privately(
    reference, frontdesk, private_materials
):
    item = reference["item"]
    form = form_for(item, files=files_for(item, material_1=SimpleUploadedFile("photo.png", PNG, "image/png")))
    assert form.is_valid(), form.errors
    case, created = do_take_in_application(form, acting_user=frontdesk)
    assert created and case.status == Case.Status.RUNNING
    assert case.applicant_id_number == "11010519491231002X" and case.application["address"] == GOOD["address"]
    assert WorkItem.objects.filter(case=case, task_spec="intake", state="open").exists()
    materials = list(Material.objects.filter(case=case).order_by("kind"))
    assert len(materials) == len(item.materials)
    for material in materials:
        path = Path(private_materials) / material.storage_name
        assert path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == material.sha256
        assert material.original_name not in material.storage_name  # never the applicant's name, never guessable
    assert {m.content_type for m in materials} == {"application/pdf", "image/png"}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("applicant_id_number", "110105194912310021", "身份证号码不正确"),
        ("applicant_id_number", "11010519491231", "身份证号码不正确"),
        ("enterprise_uscc", "91350100M000100Y44", "统一社会信用代码不正确"),
        ("registered_capital", "-5", "0.01"),
    ],
)
def test_a_wrong_identifier_is_refused_with_a_clear_message_and_nothing_is_stored(
    reference, field, value, message, private_materials
):
    form = form_for(reference["item"], **{field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert not Case.objects.exists() and not Path(private_materials).exists()


def test_a_missing_material_is_named(reference):
    item = reference["item"]
    files = files_for(item)
    del files["material_2"]
    form = form_for(item, files=files)
    assert not form.is_valid()
    assert form.errors["material_2"] == [
        f"缺少材料：{item.materials[2].split(' ')[0]}。"
    ]  # the material in the reader's language


def test_an_oversized_or_disguised_upload_is_refused(reference, settings):
    settings.MATERIAL_MAX_BYTES = 1024
    item = reference["item"]
    form = form_for(
        item,
        files=files_for(
            item,
            material_0=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
            material_1=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ),
    )
    assert not form.is_valid()
    assert form.errors["material_0"] == ["「big.pdf」有 2 KB，超过 1 KB 的上限。"]
    assert "不是 PDF、JPEG 或 PNG" in form.errors["material_1"][0]
    assert not Case.objects.exists()


def test_submitting_the_same_form_twice_makes_one_case(reference, frontdesk):
    item, key = reference["item"], new_intake_key()
    first = form_for(item, key=key)
    assert first.is_valid()
    case, created = do_take_in_application(first, acting_user=frontdesk)
    again = form_for(item, key=key)
    assert again.is_valid()
    same, created_again = do_take_in_application(again, acting_user=frontdesk)
    assert created and not created_again and same.pk == case.pk
    assert Case.objects.count() == 1 and Material.objects.count() == len(item.materials)
