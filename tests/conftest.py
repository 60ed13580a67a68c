"""Shared fixtures: the reference processes deployed, and named people built with real actions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as site
from django.db import connection
from django.utils import translation

from demo.seed import deploy_reference_processes, ensure_demo_people, ensure_service_items
from processes.models import ProcessVersion

FIXTURES = Path(__file__).parent / "fixtures"
BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
CI = os.getenv("CI", "").lower() == "true"

# --as-of MOMENT: run the tests as of another date (tests/as_of.py).
pytest_plugins = ["tests.as_of", "tests.database_pass"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def licence_keys_of_the_test_run(settings, tmp_path_factory):
    """Cases that finish issue signed licences: their key lives with the test run, not in var/."""
    settings.LICENCE_KEYS_DIR = tmp_path_factory.getbasetemp() / "licence-keys"


@pytest.fixture(autouse=True)
def the_default_language():
    """Each test starts in the site's language (简体中文): a request in English before it, in this
    thread, leaves English active otherwise."""
    translation.activate(site.LANGUAGE_CODE)
    yield
    translation.activate(site.LANGUAGE_CODE)


# What a correction request must say (engine.decisions): every missing material, and the notice.
CORRECTION_REQUEST = {"missing_materials": ["章程 articles of association"], "notice": "请一次性补齐：章程。"}
REJECTION = {"reject_reason": "经营范围含前置许可项目。 The business scope needs a prior permit."}


def decision(outcome: str, task: dict | None = None) -> dict:
    """The data a clerk enters with ``outcome`` on a task (its version's user-task description):
    the form's fields filled in, and what a rejection or a correction must say."""
    from demo.driver import answers

    data = answers(task or {}, outcome)
    return {
        **data,
        **(CORRECTION_REQUEST if outcome == "correction" else {}),
        **(REJECTION if outcome == "reject" else {}),
    }


def needs_postgres():
    """Skip on SQLite with the reason; the PostgreSQL run of `make test` carries these tests."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (runs in the PostgreSQL pass of make test)")


@pytest.fixture
def reference(db):
    """Both reference versions deployed (v1 serial, v2 parallel), the service item, the demo people."""
    deploy_reference_processes()
    item = ensure_service_items()
    ensure_demo_people(password=None)
    versions = {v.number: v for v in ProcessVersion.objects.filter(definition__key="business_registration")}
    return {"serial": versions[1], "parallel": versions[2], "item": item}


@pytest.fixture
def construction(reference):
    """The second process, 建筑工程施工许可 (bpmn/construction_permit.bpmn), its item and people."""
    from demo.seed import ensure_construction_permit

    item = ensure_construction_permit(password=None)
    return {"version": item.process.latest_version(), "item": item}


def _persona(username: str):
    @pytest.fixture(name=username)
    def persona(reference):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    return persona


# The demo's people, by name: frontdesk, clerk_market, head_market, clerk_police, clerk_tax, ...
for _username in (
    "frontdesk",
    "clerk_market",
    "head_market",
    "clerk_police",
    "clerk_tax",
    "clerk_hrss",
    "clerk_fund",
    "supervisor",
    "designer",
):
    globals()[_username] = _persona(_username)


def _construction_persona(username: str):
    @pytest.fixture(name=username)
    def persona(construction):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    return persona


# The construction permit's people: clerk_housing, clerk_housing_2, head_housing, clerk_fire, ...
for _username in (
    "clerk_housing",
    "clerk_housing_2",
    "head_housing",
    "clerk_fire",
    "clerk_civil_defense",
    "clerk_planning",
):
    globals()[_username] = _construction_persona(_username)
