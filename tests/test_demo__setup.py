"""`make run`'s demo lives in the past and the present: nothing it writes is dated later than the
moment it ran, except the deadlines it promises (a due moment is in the future by nature)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from engine.models import Case, Event
from licences.models import Licence

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

# Moments that lie ahead by nature: when something falls due, turns yellow, is next looked at.
DEADLINES = {"due_at", "statutory_due_at", "yellow_at", "next_at"}


def dated_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and field.name not in DEADLINES:
                yield model, field.name


@pytest.mark.slow
def test_the_demo_writes_nothing_dated_after_the_moment_it_ran(db, settings, tmp_path):
    settings.LICENCE_KEYS_DIR = tmp_path / "keys"  # the keys this demo makes, and no other test's
    existing = {model: set(model.objects.values_list("pk", flat=True)) for model, _ in dated_columns()}
    call_command("rundemo", "--no-serve", stdout=StringIO())
    ran_at = timezone.now()
    assert Case.objects.count() >= 20 and Event.objects.count() > 100
    assert Case.objects.filter(status="running").exists() and Licence.objects.exists()
    future = {}
    for model, name in dated_columns():  # rows the demo wrote (the migrations' rows came before it)
        later = model.objects.filter(**{f"{name}__gt": ran_at}).exclude(pk__in=existing[model])
        if later.exists():
            future[f"{model.__name__}.{name}"] = list(later.values_list(name, flat=True)[:3])
    assert not future, f"dated after the demo ran at {ran_at}: {future}"
    keys = list(settings.LICENCE_KEYS_DIR.glob("*.pem"))
    assert keys
    for key in keys:
        made = dt.datetime.strptime(key.name.split("-")[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
        assert made <= ran_at, key.name
