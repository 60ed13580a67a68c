"""A department's queue stays an index read when the table holds a city's worth of work.

The queue page is the screen every clerk opens all day: the open items of their department,
the most urgent first. It must be served by the workitem_queue index (department, state,
due_at) and read nothing of the cases' saved workflow state. The rows are made in bulk with
SQL (as a year of cases would leave them), then PostgreSQL is asked for its plan.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import needs_postgres
from worklists.models import WorkItem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

WORKING_DAYS_SPREAD = 60  # due dates spread over this many days; each due time is shared (17:30 local)
STATE_TABLES = {"engine_instancestate"}


def fill_queues(reference, *, running: int, finished: int) -> None:
    """``running`` cases waiting in the four department reviews (4 open items each), and
    ``finished`` cases whose four reviews are completed (still in the table, out of the queues)."""
    params = {
        "version": reference["parallel"].pk,
        "item": reference["item"].pk,
        "running": running,
        "cases": running + finished,
        "days": WORKING_DAYS_SPREAD,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO engine_case (number, service_item_id, version_id, applicant_name, applicant_id_number,
                                     enterprise_name, enterprise_uscc, notify_commit, status, end_activity,
                                     failure, started_at, ended_at, started_by_id, steps)
            SELECT 'BL-2025-' || lpad(g::text, 6, '0'), %(item)s, %(version)s, '申请人' || g, '', '企业' || g, '',
                   false, CASE WHEN g <= %(running)s THEN 'running' ELSE 'completed' END, '', '',
                   timestamptz '2025-01-02 09:00+08' + (g %% %(days)s) * interval '1 day', NULL, NULL, 3
            FROM generate_series(1, %(cases)s) AS g
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO worklists_workitem (task_id, task_spec, name, candidate_group, state, opened_at, claimed_at,
                                            due_at, limit_working_days, completed_at, outcome, assignee_id, case_id,
                                            completed_by_id, department_id, service_item_id, version_id)
            SELECT gen_random_uuid(), t.spec, t.spec, t.department,
                   CASE WHEN c.status = 'running' THEN 'open' ELSE 'completed' END,
                   c.started_at, NULL,
                   -- a deadline is the close of office (17:30 local) of a working day: many items share it
                   date_trunc('day', c.started_at AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
                     + interval '1 day 17 hours 30 minutes',
                   1,
                   CASE WHEN c.status = 'running' THEN NULL ELSE c.started_at + interval '1 hour' END,
                   CASE WHEN c.status = 'running' THEN '' ELSE 'approve' END,
                   NULL, c.id, NULL, t.department, %(item)s, %(version)s
            FROM engine_case AS c
            CROSS JOIN (VALUES ('police_review', 'police'), ('tax_review', 'tax'),
                               ('hrss_review', 'hrss'), ('fund_review', 'housing_fund')) AS t(spec, department)
            WHERE c.number LIKE 'BL-2025-%%'
            """,
            params,
        )
        cursor.execute("ANALYZE engine_case")
        cursor.execute("ANALYZE worklists_workitem")


def plan_of(queryset, **options) -> dict:
    return json.loads(queryset.explain(format="json", **options))[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def test_department_queue_is_an_index_scan_on_the_queue_index_even_with_100k_open_items(reference):
    needs_postgres()
    fill_queues(reference, running=25_000, finished=10_000)
    assert WorkItem.objects.open().count() == 100_000
    assert WorkItem.objects.queue("tax").count() == 25_000
    assert WorkItem.objects.filter(department_id="tax").count() == 35_000

    queue_page = WorkItem.objects.queue("tax")[:50]
    plan = plan_of(queue_page, analyze=True)
    all_nodes = list(nodes(plan))
    assert plan["Node Type"] == "Limit" and plan["Actual Rows"] == 50

    # The work item table is read through the queue index, with both equalities in the index condition.
    scans = [n for n in all_nodes if n.get("Relation Name") == "worklists_workitem"]
    assert len(scans) == 1, json.dumps(plan, indent=1)
    scan = scans[0]
    assert scan["Node Type"] == "Index Scan" and scan["Index Name"] == "workitem_queue", json.dumps(plan, indent=1)
    assert "department_id" in scan["Index Cond"] and "state" in scan["Index Cond"]
    assert "Filter" not in scan
    # It stops early: only the head of the department's 25,000 open items is read.
    assert scan["Actual Rows"] < 2_500, json.dumps(plan, indent=1)

    # No sort of the whole department: at most ordering by id within one shared due time.
    assert not [n for n in all_nodes if n["Node Type"] == "Sort"], json.dumps(plan, indent=1)
    for node in all_nodes:
        if node["Node Type"] == "Incremental Sort":
            assert [key.rsplit(".", 1)[-1] for key in node["Presorted Key"]] == ["due_at"], json.dumps(plan, indent=1)

    # Nothing of the cases' workflow state is read, nor anything but the work items.
    assert {n["Relation Name"] for n in all_nodes if "Relation Name" in n} == {"worklists_workitem"}

    # The page a clerk sees, with each item's case number, joins the case by its key and nothing else.
    page_plan = plan_of(WorkItem.objects.queue("tax").select_related("case")[:50])
    page_nodes = list(nodes(page_plan))
    relations = {n["Relation Name"] for n in page_nodes if "Relation Name" in n}
    assert relations == {"worklists_workitem", "engine_case"} and not relations & STATE_TABLES
    item_scan = next(n for n in page_nodes if n.get("Relation Name") == "worklists_workitem")
    assert item_scan["Node Type"] == "Index Scan" and item_scan["Index Name"] == "workitem_queue"
    assert not [n for n in page_nodes if n["Node Type"] == "Sort"], json.dumps(page_plan, indent=1)


def fetch_queue_page(department: str, size: int) -> list[tuple]:
    """What the queue screen shows: the most urgent open items, each with its case number."""
    page = WorkItem.objects.queue(department).select_related("case")[:size]
    return [(item.pk, item.name, item.case.number, item.due_at) for item in page]


def test_fetching_a_queue_page_takes_the_same_queries_whatever_the_page_size(reference):
    needs_postgres()
    fill_queues(reference, running=500, finished=500)
    counts = {}
    for size in (1, 10, 50):
        with CaptureQueriesContext(connection) as queries:
            page = fetch_queue_page("tax", size)
        assert len(page) == size
        counts[size] = len(queries.captured_queries)
    assert counts == {1: 1, 10: 1, 50: 1}

    # The page is the head of the queue: the earliest deadline first, then the oldest item.
    page = fetch_queue_page("tax", 50)
    assert [(due, pk) for pk, _, _, due in page] == sorted((due, pk) for pk, _, _, due in page)
    earliest = WorkItem.objects.queue("tax").order_by("due_at").values_list("due_at", flat=True).first()
    assert page[0][3] == earliest
    numbers = {number for _, _, number, _ in page}
    assert len(numbers) == 50 and all(n.startswith("BL-2025-") for n in numbers)
    assert all(name == "tax_review" for _, name, _, _ in page)
