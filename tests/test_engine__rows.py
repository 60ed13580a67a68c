"""engine.rows and engine.events directly, on whichever database the pass runs on: the SQLite
pass checks the same statements the PostgreSQL pass does (where they go in one round trip)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine import events, rows
from engine.actions import do_start_case
from engine.models import Case, Event
from worklists.models import WorkItem


@pytest.fixture
def case(reference):
    return do_start_case(service_item=reference["item"], applicant_name="王伟", enterprise_name="北京并联科技有限公司")


def test_a_row_read_by_rows_is_the_instance_the_orm_reads(case):
    item = WorkItem.objects.get(case=case, state="open")
    table = rows.table(WorkItem)
    read = table.instance(rows.fetch_one(*table.by_id(item.pk)))
    for field in WorkItem._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(item, field.attname), field.attname
    assert read.due_at.tzinfo is not None and isinstance(read.task_id, uuid.UUID)


def test_an_update_by_rows_changes_exactly_its_columns(case):
    item = WorkItem.objects.get(case=case, state="open")
    item.outcome, item.late_working_hours = "approve", 2.5
    rows.execute(*rows.table(WorkItem).update(item, ["outcome", "late_working_hours"]))
    again = WorkItem.objects.get(pk=item.pk)
    assert (again.outcome, again.late_working_hours, again.state) == ("approve", 2.5, "open")


def test_events_written_by_the_one_writer_read_back_as_written(case):
    at = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
    task_id = uuid.uuid4()
    events.write([
        events.row("task_overdue", case_id=case.pk, version_id=case.version_id, at=at, activity="tax_review",
                   activity_name="发票申领 Invoices", department="tax", task_id=task_id, work_item=7,
                   data={"due_at": at.isoformat(), "recorded_by": "step", "late_working_hours": 1.5}),
        events.row("escalated", case_id=case.pk, version_id=case.version_id, at=at + dt.timedelta(hours=1), data={"level": 1}),
    ])  # fmt: skip
    written = list(Event.objects.filter(case=case, kind__in=["task_overdue", "escalated"]).order_by("id"))
    assert [(e.kind, e.at, e.activity, e.department, e.task_id, e.work_item) for e in written] == [
        ("task_overdue", at, "tax_review", "tax", task_id, 7),
        ("escalated", at + dt.timedelta(hours=1), "", "", None, None),
    ]
    assert written[0].data == {"due_at": at.isoformat(), "recorded_by": "step", "late_working_hours": 1.5}
    assert written[0].actor_id is None and written[0].outcome == ""


def test_an_insert_unless_writes_once(case):
    guard = (f"SELECT 1 FROM {Event._meta.db_table} WHERE case_id = %s AND work_item = %s AND kind = %s",
             [case.pk, 42, "task_overdue"])  # fmt: skip
    value = events.row(
        "task_overdue", case_id=case.pk, version_id=case.version_id, work_item=42, data={"recorded_by": "step"}
    )
    for _ in range(3):
        rows.execute(*events.insert_unless(value, guard))
    assert Event.objects.filter(case=case, work_item=42, kind="task_overdue").count() == 1


def test_a_step_s_writes_go_in_order_and_reads_come_back_one_per_statement(case):
    writes = rows.Writes()
    item = WorkItem.objects.get(case=case, state="open")
    item.outcome = "accept"
    writes.add(rows.table(WorkItem).update(item, ["outcome"]))
    writes.add(
        events.insert([events.row("task_claimed", case_id=case.pk, version_id=case.version_id, work_item=item.pk)])
    )
    writes.flush()
    assert WorkItem.objects.get(pk=item.pk).outcome == "accept"
    assert Event.objects.filter(case=case, kind="task_claimed", work_item=item.pk).count() == 1
    cases = rows.table(Case)
    first, missing, state = rows.fetch_first_rows([
        cases.by_id(case.pk), cases.by_id(-1), ("SELECT state FROM engine_instancestate WHERE case_id = %s", [case.pk]),
    ])  # fmt: skip
    assert cases.instance(first).number == case.number and missing is None and state[0].startswith("{")
