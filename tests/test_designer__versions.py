"""The designer's version pages: the list, the diff on both diagrams, the dry run, migration and the
way back through the pages; everyone but designers is refused migrating (administrators may look).
The pages speak one language at a time: Chinese by default, English when chosen."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import translation

from demo.seed import ensure_demo_people
from engine.models import Case, Event
from tests.permits import MOVABLE, POSITIONS, case_at, deploy_versions

from .test_i18n__pages import chinese_in, english_in, visible

NOT_DESIGNERS = ("frontdesk", "clerk_tax", "head_market", "supervisor")
PAGES = (
    "/designer/",
    "/designer/processes/permit_change/versions/",
    "/designer/processes/permit_change/diff/?from=1&to=2",
    "/designer/processes/permit_change/migrate/?from=1&to=2",
)
# Names of products and commands, in no language.
NAMES = ("Camunda Modeler", "make run", "npm ci")


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


def read(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    text = visible(response.content.decode())
    for name in NAMES:
        text = text.replace(name, " ")
    return text


def test_the_designer_s_pages_speak_one_language_at_a_time(client, versions, people):
    """Names written in both languages (steps, processes) are shown in the reader's."""
    v1, _ = versions
    case_at(v1, "receive"), case_at(v1, "archive")
    client.force_login(people["designer"])
    for path in PAGES:
        assert chinese_in(read(client, path, "en")) == set(), path
        assert english_in(read(client, path, "zh-hans")) == set(), path


def test_the_diff_says_what_changed_in_the_reader_s_language(client, versions, people):
    client.force_login(people["designer"])
    chinese = client.get("/designer/processes/permit_change/diff/?from=1&to=2").content.decode()
    assert "<b>承诺时限（工作日）</b>: <del>2</del> → <ins>3</ins>" in chinese
    assert "<b>事件</b>: <del>DurationTimer P2D</del> → <ins>DurationTimer P5D</ins>" in chinese
    assert "<b>去往</b>: <del>公章备案、税务登记</del> → <ins>公章备案、参保登记、税务登记</ins>" in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/designer/processes/permit_change/diff/?from=1&to=2").content.decode()
    assert "<b>Promised limit (working days)</b>: <del>2</del> → <ins>3</ins>" in english
    assert "<b>Goes to</b>: <del>Seal registration, Tax registration</del>" in english
    assert "<td>Insurance registration</td>" in english  # the step added, by its English name


def test_a_name_changed_in_one_language_only_is_shown_as_written():
    from designer.diff import Names, StepChange

    step = StepChange(
        "changed", "a", "a", "审查 Review", details=[("Name", Names("审查 Review"), Names("审查 Assessment"))]
    )
    with translation.override("zh-hans"):
        assert step.details_shown == [("Name", "审查 Review", "审查 Assessment")]
    with translation.override("en"):
        assert step.details_shown == [("Name", "Review", "Assessment")]


def test_migrating_says_how_many_cases_moved_in_the_reader_s_language(client, versions, people):
    v1, _ = versions
    client.force_login(people["designer"])
    for language, said in (("zh-hans", "已迁移 1 件：v1 → v2。"), ("en", "Migrated 1 case: v1 → v2.")):
        case = case_at(v1, "receive")
        client.cookies["django_language"] = language
        response = client.post(
            "/designer/processes/permit_change/migrate/", {"from": 1, "to": 2, "case": [case.number]}, follow=True
        )
        assert said in [str(m) for m in response.context["messages"]]


def test_a_version_that_is_not_there_is_named_in_the_reader_s_language(versions):
    from designer.versions import version_by_number

    definition = versions[0].definition
    for language, said in (("zh-hans", "permit_change 没有版本 7。"), ("en", "permit_change has no version 7.")):
        with translation.override(language), pytest.raises(Http404) as missing:
            version_by_number(definition, "7")
        assert str(missing.value) == said
