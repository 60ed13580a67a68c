"""The department queue page with 100,000 open tasks in the database: the same SQL statements as
with 100, and no COUNT(*) over the department's queue on every view.

How the page avoids counting: the rows of a page are read live (LIMIT 26 OFFSET n on the
workitem_queue index: one row more than shown tells whether a next page exists); the total it
shows is the menu badge's count, cached for WORKLIST_BADGE_SECONDS (30 s) per department and
per filter. Exact counts cost 5 to 36 ms under write load (DESIGN.md) and grow with the queue;
a total a few seconds old is good enough for "page 3 of 1,000", and a stale total never hides
a row because the rows are never cut to it. So a page view counts at most once per 30 s per
department (and filter), whoever asks, and otherwise runs a fixed set of index reads.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import needs_postgres
from tests.test_queue__plan import fill_queues
from worklists.models import WorkItem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PATHS = (
    "/work/",
    "/work/?page=3",
    "/work/?light=none",
    "/work/?service_item=business_registration",
    "/work/?case=BL-2025-000008",
    "/work/?tab=open",
)


def queries_of(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return [q["sql"] for q in captured.captured_queries]


def counts(sql: list[str]) -> list[str]:
    return [q for q in sql if re.search(r"\bCOUNT\(", q, re.I)]


def measure(client) -> dict:
    """Per path: the statements of a view with the count cache cold, and again warm."""
    result = {}
    for path in PATHS:
        cache.clear()
        cold = queries_of(client, path)
        warm = queries_of(client, path)
        result[path] = (cold, warm)
    return result


def refill(reference, running: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM worklists_workitem WHERE case_id IN (SELECT id FROM engine_case WHERE number LIKE 'BL-2025-%%')"
        )
        cursor.execute("DELETE FROM engine_case WHERE number LIKE 'BL-2025-%%'")
    fill_queues(reference, running=running, finished=0)


def test_the_queue_page_runs_the_same_queries_for_100_and_100000_open_tasks_and_counts_at_most_once_per_cache_time(
    client, reference, clerk_tax
):
    needs_postgres()
    client.force_login(clerk_tax)
    client.get("/work/")  # the session, once

    refill(reference, running=25)  # 4 open reviews per case: 100 open tasks, 25 in tax
    assert WorkItem.objects.open().count() == 100
    few = measure(client)
    first_page = client.get("/work/")
    assert len(first_page.context["page"].object_list) == 25 and not first_page.context["page"].has_next()

    refill(reference, running=25_000)  # 100,000 open tasks, 25,000 in tax
    assert WorkItem.objects.open().count() == 100_000
    many = measure(client)

    for path in PATHS:
        (cold_few, warm_few), (cold_many, warm_many) = few[path], many[path]
        assert len(cold_many) == len(cold_few), (path, cold_few, cold_many)
        assert len(warm_many) == len(warm_few), (path, warm_few, warm_many)
        # Warm, nothing is counted: not the queue, not the badges.
        assert counts(warm_many) == [], (path, counts(warm_many))
        # Cold, each count is asked once (the list's total is the badge's when unfiltered).
        # The list, the queue and inbox badges, unread notices, unread copies (抄送).
        assert len(counts(cold_many)) <= 5, (path, counts(cold_many))
    assert len(many["/work/"][1]) <= 12, many["/work/"][1]

    # The page: 25 rows of the department, the most urgent first, read with LIMIT 26.
    response = client.get("/work/?page=3")
    page = response.context["page"]
    rows = page.object_list
    assert len(rows) == 25 and {item.department_id for item in rows} == {"tax"}
    assert [(i.due_at, i.pk) for i in rows] == sorted((i.due_at, i.pk) for i in rows)
    assert page.paginator.count == 25_000 and page.paginator.num_pages == 1000
    row_reads = [q for q in many["/work/?page=3"][1] if "worklists_workitem" in q and "LIMIT" in q.upper()]
    assert len(row_reads) == 1 and re.search(r"LIMIT 26 OFFSET 50", row_reads[0]), row_reads

    # The total shown is the cached badge count: a claim elsewhere shows within the cache time,
    # and the rows are live at once.
    stolen = WorkItem.objects.queue("tax").first()
    WorkItem.objects.filter(pk=stolen.pk).update(assignee=clerk_tax)
    response = client.get("/work/")
    assert response.context["page"].paginator.count == 25_000  # cached total
    assert stolen.pk not in [i.pk for i in response.context["page"].object_list]  # live rows
