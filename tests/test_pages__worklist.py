"""The worklist at /work/: queue, inbox, all open and archive, sorted by due time, filtered and
paginated; menu badges cached and forgotten on one's own action; a supervisor reads any
department's queue; start pages by role; the language switch is remembered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from engine.actions import do_claim_task, do_complete_task, do_start_case
from worklists.models import WorkItem


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def reviews(reference, frontdesk, clerk_market):
    """Three cases at the parallel reviews; the tax items get distinct due times, latest first."""
    cases = []
    for n in range(3):
        case = do_start_case(
            service_item=reference["item"],
            acting_user=frontdesk,
            enterprise_name=f"企业{n}",
            applicant_id_number="11010519491231002X",
        )
        for spec, user, outcome in (("intake", frontdesk, "accept"), ("market_review", clerk_market, "approve")):
            item = WorkItem.objects.get(case=case, task_spec=spec)
            do_claim_task(item.pk, acting_user=user)
            do_complete_task(item.pk, acting_user=user, outcome=outcome)
        cases.append(case)
    now = timezone.now()
    # Due in 3 and 2 days, and the last an hour ago: red by its due time, before any sweep.
    for case, due in zip(
        cases, (now + dt.timedelta(days=3), now + dt.timedelta(days=2), now - dt.timedelta(hours=1)), strict=True
    ):
        WorkItem.objects.filter(case=case, task_spec="tax_review").update(
            due_at=due, yellow_at=due - dt.timedelta(hours=2)
        )
    return cases


def tax_rows(response) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-task="\d+" data-case="([^"]+)"', response.content.decode())


def test_the_queue_lists_the_department_s_claimable_tasks_most_urgent_first(client, reviews, clerk_tax):
    client.force_login(clerk_tax)
    response = client.get("/work/")
    assert response.status_code == 200
    assert tax_rows(response) == [c.number for c in reversed(reviews)]  # the earliest due first
    html = response.content.decode()
    assert html.count("data-claim") == 3 and 'data-badge="queue">3<' in html and 'data-badge="inbox">0<' in html
    assert 'class="bl-row" href="/tasks/' in html  # rows are links
    assert "<kbd>j</kbd>" in html and "<kbd>c</kbd>" in html  # the shortcuts are written on the page


def test_filters_narrow_the_list(client, reviews, clerk_tax):
    client.force_login(clerk_tax)
    assert tax_rows(client.get("/work/?light=red")) == [reviews[2].number]
    assert tax_rows(client.get(f"/work/?case={reviews[2].number.lower()}")) == [reviews[2].number]
    assert tax_rows(client.get("/work/?service_item=business_registration")) == [c.number for c in reversed(reviews)]
    assert tax_rows(client.get("/work/?light=yellow")) == []


def test_claiming_moves_a_task_to_my_inbox_and_the_badges_follow_at_once(client, reviews, clerk_tax):
    client.force_login(clerk_tax)
    client.get("/work/")  # the counts are cached now: 3 in the queue, 0 in the inbox
    item = WorkItem.objects.get(case=reviews[0], task_spec="tax_review")
    response = client.post(f"/tasks/{item.pk}/claim/", {"seen": "open:-"})
    assert response.status_code == 302 and response.url == f"/tasks/{item.pk}/"
    inbox = client.get("/work/?tab=inbox")
    html = inbox.content.decode()
    assert tax_rows(inbox) == [reviews[0].number]
    assert 'data-badge="queue">2<' in html and 'data-badge="inbox">1<' in html

    client.post(
        f"/tasks/{item.pk}/complete/", {"seen": f"open:{clerk_tax.pk}", "outcome": "approve", "data-opinion": "同意"}
    )
    assert tax_rows(client.get("/work/?tab=archive")) == [reviews[0].number]
    assert tax_rows(client.get("/work/?tab=inbox")) == []


def test_another_clerk_s_claim_shows_in_the_rows_at_once_and_in_the_badge_within_the_cache_time(
    client, reviews, clerk_tax, settings
):
    client.force_login(clerk_tax)
    client.get("/work/")
    item = WorkItem.objects.get(case=reviews[0], task_spec="tax_review")
    do_claim_task(item.pk, acting_user=clerk_tax.__class__.objects.create(username="clerk_tax_2"))
    response = client.get("/work/")
    assert reviews[0].number not in tax_rows(response)  # live rows
    assert 'data-badge="queue">3<' in response.content.decode()  # the cached count, at most 30 s old
    cache.clear()  # the cache time passes
    assert 'data-badge="queue">2<' in client.get("/work/").content.decode()


def test_pages_of_25(client, reference, clerk_tax):
    client.force_login(clerk_tax)
    case = do_start_case(service_item=reference["item"])
    template = WorkItem.objects.get(case=case, task_spec="intake")
    WorkItem.objects.bulk_create(
        [
            WorkItem(
                case=case,
                version=template.version,
                service_item=template.service_item,
                task_id=f"00000000-0000-0000-0000-{n:012d}",
                task_spec="tax_review",
                name="发票申领",
                department_id="tax",
                due_at=timezone.now() + dt.timedelta(hours=n),
            )
            for n in range(60)
        ]
    )
    first, third = client.get("/work/"), client.get("/work/?page=3")
    assert len(tax_rows(first)) == 25 and len(tax_rows(third)) == 10
    assert first.context["page"].paginator.num_pages == 3 and 'data-page="next"' in first.content.decode()
    assert 'data-page="next"' not in third.content.decode()
    assert tax_rows(client.get("/work/?page=9")) == [] and client.get("/work/?page=x").status_code == 200


def test_a_supervisor_reads_any_department_s_queue_without_acting(client, reviews, supervisor, clerk_tax):
    client.force_login(supervisor)
    chooser = client.get("/work/")
    assert 'data-department="tax"' in chooser.content.decode()
    response = client.get("/work/?department=tax")
    html = response.content.decode()
    assert tax_rows(response) == [c.number for c in reversed(reviews)]
    assert "只读" in html and "data-claim" not in html and 'data-tab="inbox"' not in html
    item = WorkItem.objects.get(case=reviews[0], task_spec="tax_review")
    page = client.get(f"/tasks/{item.pk}/").content.decode()
    assert "data-claim" not in page and "data-complete" not in page and "只读" in page
    assert client.post(f"/tasks/{item.pk}/claim/", {"seen": "open:-"}).status_code == 403
    client.force_login(clerk_tax)
    assert client.get("/work/?department=police").status_code == 403


def test_each_role_starts_where_its_work_is(client, reference, frontdesk, clerk_tax, head_market, supervisor, designer):
    for user, where in (
        (frontdesk, "/intake/"),
        (clerk_tax, "/work/"),
        (head_market, "/work/"),
        (designer, "/designer/"),
    ):
        client.force_login(user)
        assert client.get("/").url == where, user
    client.force_login(supervisor)
    assert client.get("/").status_code == 200


def test_the_head_reassigns_to_a_clerk_of_the_department(client, reference, head_market, clerk_market, frontdesk):
    case = do_start_case(service_item=reference["item"])
    intake = WorkItem.objects.get(case=case, task_spec="intake")
    do_claim_task(intake.pk, acting_user=frontdesk)
    do_complete_task(intake.pk, acting_user=frontdesk, outcome="accept")
    item = WorkItem.objects.get(case=case, task_spec="market_review")
    client.force_login(head_market)
    page = client.get(f"/tasks/{item.pk}/").content.decode()
    assert "data-reassign" in page and f'value="{clerk_market.pk}"' in page
    response = client.post(f"/tasks/{item.pk}/reassign/", {"seen": "open:-", "assignee": clerk_market.pk})
    assert response.status_code == 302
    assert WorkItem.objects.get(pk=item.pk).assignee == clerk_market
    stranger = client.post(f"/tasks/{item.pk}/reassign/", {"seen": f"open:{clerk_market.pk}", "assignee": frontdesk.pk})
    assert stranger.status_code == 400 and WorkItem.objects.get(pk=item.pk).assignee == clerk_market


def test_the_language_switch_changes_formatting_and_is_remembered(client, reviews, clerk_tax):
    client.force_login(clerk_tax)
    chinese = client.get("/work/").content.decode()
    assert '<html lang="zh-hans">' in chinese and re.search(r"data-today>\d{4}年\d{1,2}月\d{1,2}日<", chinese)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/work/"})
    assert response.status_code == 302 and response.url == "/work/"
    assert response.cookies["django_language"].value == "en"
    english = client.get("/work/").content.decode()  # the cookie is sent back: remembered
    assert '<html lang="en">' in english and re.search(r"data-today>[A-Z][a-z]+\.? \d{1,2}, \d{4}<", english)
    # One language at a time: the tabs, headings and buttons are English now, and Chinese again after.
    assert "Queue" in english and "My inbox" in english and "待签收" not in english and "我的待办" not in english
    assert "待签收" in chinese and "My inbox" not in chinese


def test_the_menu_counts_unread_notices_and_the_notices_page_counts_them_live(client, reviews, clerk_tax):
    from sla.notifications import do_notify

    client.force_login(clerk_tax)
    assert 'data-badge="notifications"' not in client.get("/work/").content.decode()
    do_notify([clerk_tax], kind="escalation", title="督办：发票申领超期", body="已超期。")
    page = client.get("/sla/notifications/").content.decode()
    assert 'data-badge="notifications">1<' in page
    client.post("/sla/notifications/read/")
    assert 'data-badge="notifications"' not in client.get("/sla/notifications/").content.decode()


def test_the_case_list_finds_a_case_by_number_and_shows_a_clerk_only_their_department_s_cases(
    client, reviews, reference, clerk_tax
):
    outside = do_start_case(service_item=reference["item"])  # only the front desk has work in it
    client.force_login(clerk_tax)
    listed = client.get("/cases/").content.decode()
    assert all(c.number in listed for c in reviews) and outside.number not in listed
    assert client.get(f"/cases/?number={reviews[0].number.lower()}").url == f"/cases/{reviews[0].number}/"
    odd = client.get("/cases/?number=../../etc")
    assert odd.status_code == 200 and "办件编号格式不对" in odd.content.decode()
