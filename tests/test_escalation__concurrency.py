"""Two escalation sweeps at the same moment (two beat ticks, two workers): each level of each late
task is reached once, and its people are told once. Each sweep runs in its own thread, with its own
connection and transaction, released together by a barrier. Only PostgreSQL locks rows."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection

from engine.actions import do_start_case
from engine.models import Event
from sla.escalation import do_sweep_escalations, due_states, unstarted_red_tasks
from sla.models import Escalation, EscalationStep, Notification
from sla.sweeps import do_sweep_lights
from tests.conftest import needs_postgres
from tests.test_escalation__chain import at, licence_review, people  # noqa: F401 - fixtures
from worklists.models import WorkItem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASES = 12
TIMEOUT = 60  # seconds; a sweep still running after this is a deadlock, not a slow test


def race(action, racers: int = 2) -> list:
    """Run ``action`` in ``racers`` threads released at once; returns their results (or errors)."""
    barrier = threading.Barrier(racers)
    results: list = [None] * racers

    def run(index):
        try:
            connection.ensure_connection()  # connect first, so the barrier releases only the SQL
            barrier.wait(timeout=TIMEOUT)
            results[index] = action()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), f"sweeps still running after {TIMEOUT} s"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results


def test_two_sweeps_at_once_reach_each_level_once(licence_review, people, mailoutbox):  # noqa: F811
    needs_postgres()
    assert EscalationStep.objects.filter(department=None).count() == 2
    version, item = licence_review
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):
        for _ in range(CASES):
            do_start_case(version=version, service_item=item)
    do_sweep_lights(now=at("2026-11-10 10:00"))

    first = race(lambda: do_sweep_escalations(now=at("2026-11-10 10:00"), batch=5))
    assert sum(r.escalated for r in first) == CASES
    second = race(lambda: do_sweep_escalations(now=at("2026-11-11 09:30"), batch=5))
    assert sum(r.escalated for r in second) == CASES

    reached = list(Escalation.objects.values_list("work_item_id", "level"))
    assert len(reached) == len(set(reached)) == 2 * CASES
    assert Event.objects.filter(kind="escalated").count() == 2 * CASES
    head, supervisor = (get_user_model().objects.get(username=name) for name in ("head_market", "supervisor"))
    assert Notification.objects.filter(recipient=head).count() == CASES
    assert Notification.objects.filter(recipient=supervisor).count() == CASES
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["head_market@binglian.example"] * CASES + ["supervisor@binglian.example"] * CASES
    )
    assert race(lambda: do_sweep_escalations(now=at("2026-11-11 09:30")))[0].escalated == 0


def test_the_sweep_reads_only_red_and_due_rows_through_their_partial_indexes(db):
    needs_postgres()
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # near-empty tables: ask whether an index can serve each
        plans["start"] = unstarted_red_tasks().values_list("pk", "department_id", "due_at")[:500].explain()
        plans["due"] = due_states(dt.datetime(2026, 11, 10, tzinfo=dt.UTC))[:500].explain()
        plans["red list"] = WorkItem.objects.filter(state="open", light="red", department_id__in=["market"]).explain()
        cursor.execute("RESET enable_seqscan")
    assert "sla_workitem_red_open" in plans["start"] and "sla_escalationstate_pkey" in plans["start"], plans
    assert "escalation_next_due" in plans["due"], plans
    assert "sla_workitem_red_open" in plans["red list"], plans
