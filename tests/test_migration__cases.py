"""Moving running cases between versions: cases at every position of version 1 of a small process
(tests/permits.py), the dry run's verdict against what the move does, deadlines kept, the event
log, the way back."""

from __future__ import annotations

import pytest
from django.utils import translation

from engine.actions import do_deliver_message
from engine.errors import MigrationRefused
from engine.migration import do_migrate_batch_back, do_migrate_case, do_migrate_case_back, do_migrate_cases, dry_run
from engine.models import Case, Event, InstanceState, WaitingTimer
from tests.permits import MOVABLE, POSITIONS, case_at, complete, deadlines, deploy_versions, finish, fire
from worklists.models import WorkItem


@pytest.fixture
def versions(db):
    return deploy_versions()


def test_the_dry_run_verdict_is_what_the_migration_does_at_every_position(versions):
    v1, v2 = versions
    cases = {position: case_at(v1, position) for position in POSITIONS}
    position_of = {case.number: position for position, case in cases.items()}
    before = {position: deadlines(case) for position, case in cases.items()}
    states = {position: InstanceState.objects.get(case=case).state for position, case in cases.items()}

    verdicts = {v.number: v for v in dry_run(v1, v2)}
    assert {position_of[n] for n, v in verdicts.items() if v.movable} == MOVABLE
    assert "check_old" in verdicts[cases["check_old"].number].reason()
    assert "“参保登记”" in verdicts[cases["branches"].number].reason()
    assert verdicts[cases["review"].number].where() == "审查、审查超期"
    with translation.override("en"):
        english = {v.number: v for v in dry_run(v1, v2)}
        assert english[cases["review"].number].where() == "Review, Review timed out"
    assert "'Insurance registration'" in english[cases["branches"].number].reason()

    report = do_migrate_cases(v1, v2)
    assert {position_of[n] for n in report.migrated} == MOVABLE
    assert not report.failed
    assert {n: r for n, r in report.refused} == {
        n: f"办件 {n} 不能迁移：{v.reason()}" for n, v in verdicts.items() if not v.movable
    }
    for position, case in cases.items():
        case.refresh_from_db()
        after = deadlines(case)
        assert after == before[position], f"{position}: a deadline changed"  # no case loses (or gains) time
        migrated = Event.objects.filter(case=case, kind=Event.Kind.CASE_MIGRATED)
        if position in MOVABLE:
            assert case.version == v2
            event = migrated.get()
            assert (event.data["from_number"], event.data["to_number"], event.data["batch"]) == (1, 2, report.batch)
            assert event.data["mapping"] == {"review": "assess"}
        else:
            assert case.version == v1 and not migrated.exists()
            assert InstanceState.objects.get(case=case).state == states[position]  # untouched

    # The renamed step: the same work item (task id, deadlines, department), now named for v2.
    item = WorkItem.objects.get(case=cases["review"], state="open")
    assert (item.task_spec, item.version, item.department_id) == ("assess", v2, "market")
    # The timer keeps the moment it was set for (two days), not version 2's five days.
    timer = WaitingTimer.objects.get(case=cases["cooling_off"], fired_at=None, cancelled_at=None)
    assert timer.due_at == before["cooling_off"]["timers"][timer.task_id]

    for position in MOVABLE:
        case = finish(cases[position])
        assert (case.status, case.end_activity) == (Case.Status.COMPLETED, "end")
        worked = set(WorkItem.objects.filter(case=case, state="completed").values_list("task_spec", flat=True))
        # Version 2's own steps are worked where the case had not passed them yet.
        assert ("branch_c" in worked) == (position != "archive")
        assert ("notify" in worked) == (position != "archive")
        # ...and version 1's removed step only where it was done before the move.
        assert ("check_old" in worked) == (position != "receive")


def test_a_mapping_moves_a_case_out_of_a_removed_step_and_the_way_back_puts_it_there_again(versions):
    v1, v2 = versions
    case = case_at(v1, "check_old")
    before = deadlines(case)
    [verdict] = dry_run(v1, v2, mapping={"check_old": "receive"})
    assert verdict.movable, verdict.reasons

    do_migrate_case(case.pk, to_version=v2, mapping={"check_old": "receive"})
    item = WorkItem.objects.get(case=case, state="open")
    assert (item.task_spec, item.name, item.version) == ("receive", "收件 Receive", v2)
    assert deadlines(case) == before  # check_old's one-day deadline, not receive's three days

    do_migrate_case_back(case.pk)
    case.refresh_from_db()
    item.refresh_from_db()
    assert (case.version, item.task_spec, item.name) == (v1, "check_old", "旧式核对 Old check")
    assert deadlines(case) == before
    there, back = Event.objects.filter(case=case, kind=Event.Kind.CASE_MIGRATED).order_by("id")
    assert (back.data["from_number"], back.data["to_number"], back.data["back_of"]) == (2, 1, there.pk)
    assert finish(case).end_activity == "end"
    assert set(WorkItem.objects.filter(case=case, state="completed").values_list("task_spec", flat=True)) >= {
        "check_old",
        "review",
    }


def test_the_way_back_restores_timers_and_renames_and_refuses_a_case_that_moved_on(versions):
    v1, v2 = versions
    review, cooling = case_at(v1, "review"), case_at(v1, "cooling_off")
    before = {c.pk: deadlines(c) for c in (review, cooling)}
    report = do_migrate_cases(v1, v2)
    assert sorted(report.migrated) == sorted([review.number, cooling.number])

    do_migrate_case_back(cooling.pk)
    cooling.refresh_from_db()
    assert cooling.version == v1 and deadlines(cooling) == before[cooling.pk]
    assert WaitingTimer.objects.get(case=cooling, fired_at=None, cancelled_at=None).task_spec == "cooling_off"

    # On version 2 the review case went on to the parallel branches, which include branch_c:
    # version 1 has no such branch, so there is no way back for it any more; nothing changes.
    for step in ("assess",):
        complete(review, step)
    fire(review, "cooling_off")
    do_deliver_message(review.number, "fee_paid")
    with pytest.raises(MigrationRefused, match="branch_c|参保登记"):
        do_migrate_case_back(review.pk)
    review.refresh_from_db()
    assert review.version == v2
    assert finish(review).end_activity == "end"
    assert finish(cooling).end_activity == "end"


def test_moving_a_batch_back_leaves_a_case_that_was_migrated_again_since(versions):
    v1, v2 = versions
    case = case_at(v1, "receive")
    first = do_migrate_cases(v1, v2)
    second = do_migrate_batch_back(first.batch)  # the case is on v1 again, by the second batch
    report = do_migrate_batch_back(first.batch)
    assert report.migrated == [] and "此办件之后又迁移过，先撤回那一次。" in report.refused[0][1]
    case.refresh_from_db()
    assert case.version == v1 and second.migrated == [case.number]
