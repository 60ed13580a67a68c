"""Filling the bench database quickly with bulk SQL: cases and their open work items."""

from __future__ import annotations

from django.db import connection

from demo.seed import deploy_reference_processes, ensure_demo_people, ensure_service_items
from processes.models import ProcessVersion

DEPARTMENTS = [
    ("police_review", "police"),
    ("tax_review", "tax"),
    ("hrss_review", "hrss"),
    ("fund_review", "housing_fund"),
]


def reference_ids() -> tuple[int, int]:
    deploy_reference_processes()
    item = ensure_service_items()
    ensure_demo_people(password=None)
    version = ProcessVersion.objects.get(definition__key="business_registration", number=2)
    return version.pk, item.pk


def empty_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE worklists_workitem, engine_event, engine_waitingtimer, engine_instancestate, engine_case RESTART IDENTITY CASCADE"
        )


def fill_open_items(open_items: int, *, due: int, now_sql: str = "now()") -> None:
    """``open_items`` open work items (4 per running case), of which the first ``due`` are past
    their deadline and still green; the others are due in a month."""
    version, item = reference_ids()
    cases = (open_items + 3) // 4
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO engine_case (number, service_item_id, version_id, applicant_name, applicant_id_number,
                   enterprise_name, enterprise_uscc, notify_commit, status, end_activity, failure, started_at,
                   steps, light, clock_used_working_days, due_at, yellow_at, clock_running_since)
            SELECT 'BB-' || lpad(g::text, 8, '0'), %(item)s, %(version)s, '', '', '企业' || g, '', false, 'running',
                   '', '', now() - interval '2 days', 3, 'green', 0, now() + interval '30 days',
                   now() + interval '20 days', now() - interval '2 days'
            FROM generate_series(1, %(cases)s) AS g
            """,
            {"cases": cases, "version": version, "item": item},
        )
        cursor.execute(
            f"""
            INSERT INTO worklists_workitem (task_id, task_spec, name, candidate_group, state, opened_at, due_at,
                   yellow_at, light, limit_working_days, outcome, case_id, department_id, service_item_id, version_id)
            SELECT gen_random_uuid(), t.spec, t.spec, t.department, 'open', c.started_at,
                   {now_sql} + interval '30 days', {now_sql} + interval '20 days', 'green', 1, '', c.id,
                   t.department, %(item)s, %(version)s
            FROM engine_case AS c CROSS JOIN (VALUES {", ".join(f"('{s}', '{d}')" for s, d in DEPARTMENTS)}) AS t(spec, department)
            WHERE c.number LIKE 'BB-%%'
            LIMIT %(open_items)s
            """,
            {"open_items": open_items, "version": version, "item": item},
        )
        cursor.execute(
            f"UPDATE worklists_workitem SET due_at = {now_sql} - interval '1 minute', yellow_at = {now_sql} - interval '1 hour' WHERE id <= %s",
            [due],
        )
        cursor.execute("ANALYZE engine_case")
        cursor.execute("ANALYZE worklists_workitem")


def reset_due_lights(due: int) -> None:
    """Undo a sweep so that it can be measured again on the same rows."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE worklists_workitem SET light = 'green' WHERE id <= %s", [due])
        cursor.execute("DELETE FROM engine_event WHERE kind IN ('task_overdue', 'case_overdue')")
