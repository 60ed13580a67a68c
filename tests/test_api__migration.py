"""The REST API for versions, the diff and migration: designers only (administrators may read versions and the diff)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from demo.seed import ensure_demo_people
from engine.models import Case, Event
from tests.permits import MOVABLE, POSITIONS, case_at, deploy_versions

BASE = "/api/v1/processes/permit_change"
NOT_DESIGNERS = ("frontdesk", "clerk_tax", "head_market", "supervisor")


@pytest.fixture
def versions(db):
    ensure_demo_people(password=None)
    return deploy_versions()


def api(username=None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def test_a_designer_lists_versions_diffs_dry_runs_migrates_and_moves_back(versions):
    v1, v2 = versions
    cases = {p: case_at(v1, p) for p in POSITIONS}
    designer = api("designer")
    rows = designer.get(f"{BASE}/versions/").json()["results"]
    assert [(r["number"], r["running_cases"], r["filename"]) for r in rows] == [
        (2, 0, "permit_v2.bpmn"),
        (1, 8, "permit_v1.bpmn"),
    ]

    diff = designer.get(f"{BASE}/diff/", {"from": 1, "to": 2}).json()
    assert diff["counts"] == {"added": 2, "removed": 1, "renamed": 1, "changed": 5}
    assert diff["markers"]["old"]["check_old"] == "removed"

    dry = designer.post(f"{BASE}/migrations/dry-run/", {"from": 1, "to": 2}, format="json").json()
    verdicts = {v["case"]: v for v in dry["verdicts"]}
    assert (dry["running"], dry["movable"]) == (8, len(MOVABLE))
    assert {p for p, c in cases.items() if verdicts[c.number]["movable"]} == MOVABLE
    assert Case.objects.filter(version=v2).count() == 0

    report = designer.post(f"{BASE}/migrations/", {"from": 1, "to": 2}, format="json").json()
    assert sorted(report["migrated"]) == sorted(c.number for p, c in cases.items() if p in MOVABLE)
    assert {r["case"]: r["reason"] for r in report["refused"]}.keys() == {
        c.number for p, c in cases.items() if p not in MOVABLE
    }
    assert Event.objects.filter(kind="case_migrated", actor__username="designer").count() == len(MOVABLE)

    back = designer.post(f"{BASE}/migrations/back/", {"batch": report["batch"]}, format="json").json()
    assert sorted(back["migrated"]) == sorted(report["migrated"]) and not back["refused"]
    assert Case.objects.filter(version=v2).count() == 0


def test_a_mapping_in_the_api_is_checked_before_any_case_moves(versions):
    v1, _ = versions
    case_at(v1, "check_old")
    response = api("designer").post(
        f"{BASE}/migrations/", {"from": 1, "to": 2, "mapping": {"nope": "receive"}}, format="json"
    )
    assert response.status_code == 400 and "nope" in response.json()["detail"]
    response = api("designer").post(f"{BASE}/migrations/dry-run/", {"from": 1, "to": 9}, format="json")
    assert response.status_code == 404
    assert not Event.objects.filter(kind="case_migrated").exists()


@pytest.mark.parametrize("username", NOT_DESIGNERS)
def test_anyone_but_a_designer_is_refused_migration_through_the_api(versions, username):
    v1, _ = versions
    case = case_at(v1, "receive")
    client = api(username)
    body = {"from": 1, "to": 2}
    assert client.post(f"{BASE}/migrations/dry-run/", body, format="json").status_code == 403
    assert client.post(f"{BASE}/migrations/", body, format="json").status_code == 403
    assert client.post(f"{BASE}/migrations/back/", {"batch": "0" * 32}, format="json").status_code == 403
    assert client.get(f"{BASE}/versions/").status_code == 403
    assert client.get(f"{BASE}/diff/", {"from": 1, "to": 2}).status_code == 403
    assert api().post(f"{BASE}/migrations/", body, format="json").status_code == 401
    case.refresh_from_db()
    assert case.version == v1 and not Event.objects.filter(kind="case_migrated").exists()
