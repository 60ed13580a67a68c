"""Deploying a new version is for process designers: everyone else is refused, through the
modeler page's endpoint and through the REST API, and nothing is stored. Designers deploy
through both; a broken file is refused with every problem and the element it concerns."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from engine.models import Event
from processes.models import ProcessVersion

from .conftest import FIXTURES
from .test_api__cases import client_for

REFUSED = ("frontdesk", "clerk_tax", "head_market", "supervisor")  # and the administrator, below


@pytest.fixture
def changed_xml(reference) -> str:
    """The parallel reference process with one more day for the tax review: a new version."""
    xml = reference["parallel"].bpmn_xml
    marker = 'name="promised_limit_working_days" value="1"'
    assert marker in xml
    return xml.replace(marker, 'name="promised_limit_working_days" value="2"', 1)


def stored() -> tuple[int, int]:
    return ProcessVersion.objects.count(), Event.objects.filter(kind="version_deployed").count()


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def deploy_through_the_page(client, xml: str):
    return client.post("/designer/deploy/", json.dumps({"xml": xml}), content_type="application/json")


def test_an_administrator_may_look_but_not_deploy(reference, changed_xml, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    before = stored()
    assert page_client(admin).get(f"/designer/modeler/versions/{reference['parallel'].pk}/").status_code == 200
    assert deploy_through_the_page(page_client(admin), changed_xml).status_code == 403
    api = client_for(admin).post(
        "/api/v1/versions/",
        {"filename": "changed.bpmn", "bpmn_xml": changed_xml},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 403 and "designers" in api.json()["detail"]  # in the language asked for
    assert stored() == before


@pytest.mark.parametrize("username", [*REFUSED, None], ids=[*REFUSED, "anonymous"])
def test_only_designers_deploy_through_the_page_and_the_api(reference, changed_xml, django_user_model, username):
    user = django_user_model.objects.get(username=username) if username else None
    before = stored()

    page = deploy_through_the_page(page_client(user), changed_xml)
    api = client_for(user).post(
        "/api/v1/versions/", {"filename": "changed.bpmn", "bpmn_xml": changed_xml}, format="json"
    )
    modeler = page_client(user).get(f"/designer/modeler/versions/{reference['parallel'].pk}/")

    assert page.status_code == 403 and "detail" in page.json()
    assert api.status_code == (401 if user is None else 403), api.json()
    assert modeler.status_code == (302 if user is None else 403)  # anonymous: to the login page
    if user is not None:
        assert "流程设计" in page.json()["detail"] and "流程设计" in api.json()["detail"]
    assert stored() == before


def test_a_designer_deploys_through_the_page_and_the_same_file_again_is_no_new_version(
    reference, changed_xml, designer
):
    client = page_client(designer)

    first = deploy_through_the_page(client, changed_xml)
    again = deploy_through_the_page(client, changed_xml)

    assert first.status_code == 201, first.json()
    assert (first.json()["created"], first.json()["version"]["number"], first.json()["version"]["dialect"]) == (
        True,
        3,
        "camunda",
    )
    assert again.status_code == 200 and again.json()["created"] is False
    version = ProcessVersion.objects.get(pk=first.json()["version"]["id"])
    assert version.deployed_by == designer and version.bpmn_xml == changed_xml


@pytest.mark.parametrize(("name", "dialect"), [("camunda_modeler.bpmn", "camunda"), ("spiffarena.bpmn", "spiff")])
def test_a_designer_deploys_a_file_of_another_tool_through_the_api(reference, designer, name, dialect):
    path = FIXTURES / "dialects" / name
    with path.open("rb") as upload:
        response = client_for(designer).post("/api/v1/versions/", {"file": upload}, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["dialect"], body["filename"], body["deployed_by"], body["created"]) == (
        1,
        dialect,
        name,
        "designer",
        True,
    )
    assert ProcessVersion.objects.get(pk=body["id"]).bpmn_xml.encode() == path.read_bytes()


def test_a_broken_file_is_refused_with_every_problem_and_its_element(reference, designer, changed_xml):
    # The flow after the join now points nowhere: it and the node it used to reach are reported.
    flow, after_join = re.search(
        r'<bpmn:sequenceFlow id="([^"]+)" sourceRef="join" targetRef="([^"]+)"', changed_xml
    ).groups()
    broken = changed_xml.replace(f'sourceRef="join" targetRef="{after_join}"', 'sourceRef="join" targetRef="nowhere"')
    before = stored()

    page = deploy_through_the_page(page_client(designer), broken)
    api = client_for(designer).post("/api/v1/versions/", {"filename": "broken.bpmn", "bpmn_xml": broken}, format="json")

    for response in (page, api):
        assert response.status_code == 400
        problems = response.json()["problems"]
        assert any(p["element"] == flow and "指向不存在的节点 nowhere" in p["message"] for p in problems), problems
        assert any(p["element"] == after_join and "从开始事件无法到达" in p["message"] for p in problems), problems
        assert all(isinstance(p["line"], int) for p in problems)
    assert stored() == before
