"""The service catalogue and the deployed versions in the admin: labelled in the reader's language."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def page(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_service_item_form_is_labelled_in_chinese_by_default_and_in_english_when_chosen(admin_client):
    chinese = page(admin_client, "/admin/processes/serviceitem/add/", "zh-hans")
    for label in (
        "法定时限（工作日）",
        "承诺时限（工作日）",
        "可适用告知承诺制",
        "告知承诺适用条件",
        "各部门可见的申请信息",
    ):
        assert label in chinese, label
    assert "Statutory limit" not in chinese and "Eligibility decision" not in chinese

    english = page(admin_client, "/admin/processes/serviceitem/add/", "en")
    for label in ("Statutory limit (working days)", "Promised limit (working days)", "Eligibility decision"):
        assert label in english, label
    labels = " ".join(re.findall(r"<label[^>]*>(.*?)</label>", english, flags=re.S))
    assert not re.search(r"[\u4e00-\u9fff]", labels), labels


def test_the_admin_index_names_the_processes_app_and_its_models_in_the_reader_s_language(admin_client):
    chinese = page(admin_client, "/admin/", "zh-hans")
    assert all(name in chinese for name in ("流程定义", "流程版本", "政务服务事项", "决策表版本"))
    english = page(admin_client, "/admin/", "en")
    assert all(
        name in english for name in ("Processes", "Process versions", "Service items", "Decision table versions")
    )
