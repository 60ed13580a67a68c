"""The REST API's OpenAPI schema: valid without a warning, served at /api/schema/, and the API
answers whatever the schema allows without a server error (schemathesis, bounded)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from config.wsgi import application
from engine.actions import do_claim_task, do_complete_task
from engine.models import Case
from worklists.models import WorkItem

from .test_api__cases import client_for, private_materials, take_in  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
# The operations a clerk may try: every read, and the writes a department clerk makes.
FUZZED_POSTS = (
    "tasks_claim",
    "tasks_unclaim",
    "tasks_complete",
    "tasks_request_correction",
    "cases_deliver_message",
)
# Casework: what a clerk or head sends with free text and choices of their own.
CASEWORK_POSTS = (
    "tasks_send_back",
    "tasks_withdraw",
    "tasks_urge",
    "tasks_transfer",
    "tasks_delegate",
    "tasks_ask_opinion",
    "cases_suspend",
    "cases_terminate",
    "cases_extension_request",
    "cases_copy",
)


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "/api/v1/tasks/{id}/complete/:" in out.read_text()


def test_the_schema_is_served_to_anyone_at_a_stable_url(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "并联 Binglian API"
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "cases_take_in",
        "cases_retrieve",
        "cases_timeline",
        "cases_deliver_message",
        "tasks_mine",
        "departments_queue",
        "tasks_retrieve",
        "tasks_reassign",
        "service_items_list",
        *FUZZED_POSTS,
        *CASEWORK_POSTS,
    } <= operations
    queue = schema["paths"]["/api/v1/departments/{code}/queue/"]["get"]
    assert {p["name"] for p in queue["parameters"]} >= {"code", "page", "page_size", "service_item", "light", "case"}
    assert APIClient().get("/api/schema/").status_code == 200  # YAML by default


@contextmanager
def wsgi_requests_inside_the_test_transaction():
    """Django's test client does this too: a request must not close the connection that holds the
    test's transaction, or the rows the test made would vanish mid-run."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(operation, mode, token: str, seen: set[int], path_parameters: dict | None = None, examples: int = 25) -> None:
    """At most ``examples`` examples of one operation, sent as the clerk; any 5xx fails."""

    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        response = case.call(headers={"Authorization": f"Token {token}"})
        seen.add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    run()


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(reference, frontdesk, clerk_market):
    # Something to find: cases at the window and at market regulation, one task claimed.
    numbers = [take_in(reference, frontdesk) for _ in range(3)]
    for number in numbers[:2]:
        do_complete_task(WorkItem.objects.get(case__number=number, task_spec="intake").pk, outcome="accept")
    task_id = WorkItem.objects.get(case__number=numbers[0], task_spec="market_review").pk
    do_claim_task(task_id, acting_user=clerk_market)
    token = Token.objects.get_or_create(user=clerk_market)[0].key
    # Messages come from other systems: that operation is sent as the bank's API client.
    out = io.StringIO()
    call_command("api_token", "bank_system", "--create", "--deliver-messages", stdout=out)
    tokens = {"cases_deliver_message": out.getvalue().strip()}

    with wsgi_requests_inside_the_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        operations = [result.ok() for result in schema.get_all_operations()]
        chosen = [
            op
            for op in operations
            if op.method.upper() == "GET" or op.definition.raw.get("operationId") in FUZZED_POSTS + CASEWORK_POSTS
        ]
        assert len(chosen) == 26
        seen: dict[str, set[int]] = {op.label: set() for op in chosen}
        # Generated path parameters mostly find nothing (404); pinned to real rows, the bodies and
        # queries reach the gate, the checks and the write path.
        real = {"id": task_id, "number": numbers[0], "code": "market", "key": "business_registration"}
        for operation in chosen:
            pinned = {name: value for name, value in real.items() if f"{{{name}}}" in operation.path}
            raw = operation.definition.raw
            # A negative case needs something left to get wrong: a body or a query parameter.
            negatable = "requestBody" in raw or any(p.get("in") == "query" for p in raw.get("parameters", []))
            sender = tokens.get(raw.get("operationId"), token)
            # The casework moves each load the case's workflow: fewer examples keep the suite quick.
            examples = 8 if raw.get("operationId") in CASEWORK_POSTS else 25
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz(operation, mode, sender, seen[operation.label], examples=examples)
                if pinned and (mode == GenerationMode.POSITIVE or negatable):
                    fuzz(operation, mode, sender, seen[operation.label], pinned, examples=examples)
    assert all(seen.values()) and not any(code >= 500 for codes in seen.values() for code in codes), seen
    assert {200, 400} <= seen["GET /api/v1/departments/{code}/queue/"] and 400 in seen[
        "POST /api/v1/tasks/{id}/complete/"
    ]
    assert {400, 409} <= seen["POST /api/v1/cases/{number}/messages/"]
    assert Case.objects.filter(number__in=numbers).count() == 3
