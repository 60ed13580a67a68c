"""A migration and a clerk's completion of the same case at the same moment (PostgreSQL only).

Both lock the case row first, so one goes after the other and sees its result: whichever order,
the task is completed once, the case ends up on version 2, and the saved workflow agrees with
the work items and timer rows. Without the lock, a migration that read the case before the
completion would save the task as still to do, over the clerk's work.

A migration is the one step that changes a case's version. A locking query that joins the
version row in (SELECT … FROM case JOIN version … FOR NO KEY UPDATE OF case) finds no row after waiting
here: PostgreSQL rechecks the join against the case row as the migration left it, whose version
is another one. The clerk would be told the task does not exist.
"""

from __future__ import annotations

from functools import partial

import pytest

from engine import workflow_tasks as wt
from engine.actions import do_complete_task
from engine.migration import do_migrate_case
from engine.models import Case, Event, InstanceState, WaitingTimer
from engine.state import load_workflow
from tests.conftest import needs_postgres
from tests.permits import case_at, deploy_versions
from tests.test_concurrency__postgres import race
from worklists.models import WorkItem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 6


@pytest.fixture
def versions(db):
    return deploy_versions()


def test_a_migration_and_a_clerks_completion_do_not_both_win(versions):
    needs_postgres()
    v1, v2 = versions
    for _ in range(ROUNDS):
        case = case_at(v1, "review")
        item = WorkItem.objects.get(case=case, state="open")
        outcomes = race(
            partial(do_complete_task, item.pk), partial(do_migrate_case, case.pk, to_version=v2, from_version=v1)
        )
        assert all(o.ok for o in outcomes), outcomes  # serialised: each saw the other's result
        case = Case.objects.get(pk=case.pk)
        item.refresh_from_db()
        assert (case.version, item.state) == (v2, "completed")
        assert Event.objects.filter(case=case, kind="task_completed", work_item=item.pk).count() == 1
        assert Event.objects.filter(case=case, kind="case_migrated").count() == 1
        workflow = load_workflow(case.version, InstanceState.objects.get(case=case).state)
        open_items = set(WorkItem.objects.filter(case=case, state="open").values_list("task_id", flat=True))
        pending = set(
            WaitingTimer.objects.filter(case=case, fired_at=None, cancelled_at=None).values_list("task_id", flat=True)
        )
        assert {t.id for t in wt.ready_user_tasks(workflow)} == open_items == set()
        assert {t.id for t in wt.waiting_timers(workflow)} == pending and len(pending) == 1  # the cooling-off timer
