"""The designer's version pages: the list, the diff on both diagrams, the dry run, migration and the
way back through the pages; everyone but designers is refused migrating (administrators may look)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from demo.seed import ensure_demo_people
from engine.models import Case, Event
from tests.permits import MOVABLE, POSITIONS, case_at, deploy_versions

NOT_DESIGNERS = ("frontdesk", "clerk_tax", "head_market", "supervisor")


@pytest.fixture
def versions(db):
    return deploy_versions()


@pytest.fixture
def people(db):
    ensure_demo_people(password=None)
    return {u.username: u for u in get_user_model().objects.all()}


def test_the_versions_list_says_who_deployed_what_when_and_how_many_cases_run_on_each(client, versions, people):
    v1, v2 = versions
    v2.deployed_by = people["designer"]
    v2.save(update_fields=["deployed_by"])
    case_at(v1, "receive"), case_at(v1, "review"), case_at(v2, "receive")
    client.force_login(people["designer"])
    assert 'href="/designer/processes/permit_change/versions/"' in client.get("/designer/").content.decode()
    page = client.get("/designer/processes/permit_change/versions/").content.decode()
    assert 'data-version="2" data-running="1"' in page and 'data-version="1" data-running="2"' in page
    assert "permit_v2.bpmn" in page and v2.sha256[:12] in page and ">designer<" in page
    assert 'href="/designer/processes/permit_change/diff/?from=1&amp;to=2"' in page
    assert 'href="/designer/processes/permit_change/migrate/?from=1&amp;to=2"' in page  # v1 has running cases


def test_the_diff_names_what_was_added_removed_renamed_and_changed_and_marks_both_diagrams(client, versions, people):
    client.force_login(people["designer"])
    response = client.get("/designer/processes/permit_change/diff/?from=1&to=2")
    page = response.content.decode()
    for row in (
        "removed:check_old:",
        "added::branch_c",
        "added::notify",
        "renamed:review:assess",
        "changed:cooling_off:cooling_off",
        "changed:receive:receive",
    ):
        assert f'data-step="{row}"' in page, row
    assert "DurationTimer P2D" in page and "DurationTimer P5D" in page  # the cooling-off period
    assert 'data-department="added:hrss"' in page
    diagrams = json.loads(page.split('<script id="diff-diagrams" type="application/json">')[1].split("</script>")[0])
    assert diagrams["old"]["markers"]["check_old"] == "removed" and diagrams["old"]["markers"]["review"] == "renamed"
    assert diagrams["new"]["markers"]["branch_c"] == "added" and diagrams["new"]["markers"]["cooling_off"] == "changed"
    assert diagrams["old"]["xml"].startswith("<?xml") and "branch_c" in diagrams["new"]["xml"]
    # A mapping turns the removed step into a renamed one.
    page = client.get(
        "/designer/processes/permit_change/diff/", {"from": 1, "to": 2, "map": "check_old=receive"}
    ).content.decode()
    assert 'data-step="renamed:check_old:receive"' in page and 'data-step="removed:check_old:"' not in page


def test_a_designer_dry_runs_migrates_and_moves_back_through_the_pages(client, versions, people):
    v1, v2 = versions
    cases = {position: case_at(v1, position) for position in POSITIONS}
    client.force_login(people["designer"])
    page = client.get("/designer/processes/permit_change/migrate/?from=1&to=2").content.decode()
    for position, case in cases.items():
        assert f'data-verdict="{case.number}:{"yes" if position in MOVABLE else "no"}"' in page, position
    assert "要等“参保登记”" in page  # why the cases past the fork cannot move
    assert Case.objects.filter(version=v2).count() == 0  # the dry run changed nothing

    numbers = [cases[p].number for p in MOVABLE]
    response = client.post(
        "/designer/processes/permit_change/migrate/", {"from": 1, "to": 2, "map": "", "case": numbers}
    )
    assert response.status_code == 302
    assert set(Case.objects.filter(version=v2).values_list("number", flat=True)) == set(numbers)
    event = Event.objects.filter(kind="case_migrated").order_by("id").first()
    assert event.actor == people["designer"]
    page = client.get(response.url).content.decode()
    assert f'data-batch="{event.data["batch"]}"' in page

    response = client.post("/designer/processes/permit_change/migrate/back/", {"batch": event.data["batch"]})
    assert response.status_code == 302
    assert Case.objects.filter(version=v2).count() == 0
    backs = [e for e in Event.objects.filter(kind="case_migrated").order_by("id") if e.data["back_of"]]
    assert sorted(e.case.number for e in backs) == sorted(numbers)


@pytest.mark.parametrize("username", NOT_DESIGNERS)
def test_anyone_but_a_designer_is_refused_the_migration_pages(client, versions, people, username):
    v1, _ = versions
    case = case_at(v1, "receive")
    client.force_login(people[username])
    assert client.get("/designer/processes/permit_change/migrate/?from=1&to=2").status_code == 403
    assert (
        client.post(
            "/designer/processes/permit_change/migrate/", {"from": 1, "to": 2, "case": [case.number]}
        ).status_code
        == 403
    )
    assert client.post("/designer/processes/permit_change/migrate/back/", {"batch": "0" * 32}).status_code == 403
    assert client.get("/designer/processes/permit_change/versions/").status_code == 403
    case.refresh_from_db()
    assert case.version == v1 and not Event.objects.filter(kind="case_migrated").exists()
