"""The one access gate, role by role, on real cases."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from engine.actions import do_complete_task, do_start_case
from worklists import access
from worklists.models import WorkItem


@pytest.fixture
def case_at_departments(reference):
    case = do_start_case(
        version=reference["parallel"], service_item=reference["item"], applicant_id_number="11010519491231002X"
    )
    do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, outcome="accept")
    do_complete_task(WorkItem.objects.get(case=case, task_spec="market_review").pk, outcome="approve")
    return case


def tax_task(case):
    return WorkItem.objects.get(case=case, task_spec="tax_review", state="open")


def test_a_clerk_acts_on_their_department_s_task_and_not_another_s(case_at_departments, clerk_tax, clerk_police):
    item = tax_task(case_at_departments)
    assert access.access_task_by_id(clerk_tax, item.pk, act=True) == item
    with pytest.raises(PermissionDenied, match="^此任务属于税务，不是您的部门。$"):
        access.access_task_by_id(clerk_police, item.pk, act=True)
    with (
        translation.override("en"),
        pytest.raises(PermissionDenied, match="^This task belongs to Taxation, not to your department.$"),
    ):
        access.access_task_by_id(clerk_police, item.pk, act=True)
    with pytest.raises(PermissionDenied):
        access.access_task_by_id(clerk_police, item.pk)


def test_a_supervisor_reads_everything_and_changes_nothing(case_at_departments, supervisor):
    item = tax_task(case_at_departments)
    assert access.access_task_by_id(supervisor, item.pk) == item
    with pytest.raises(PermissionDenied, match="^您的角色只能查看，不能办理。$"):
        access.access_task_by_id(supervisor, item.pk, act=True)
    with translation.override("en"), pytest.raises(PermissionDenied, match="^Your role may read but not act.$"):
        access.access_task_by_id(supervisor, item.pk, act=True)
    assert access.access_case_by_number(supervisor, case_at_departments.number) == case_at_departments
    assert access.departments_visible_to(supervisor) is None


def test_only_the_head_of_the_department_reassigns(case_at_departments, head_market, clerk_tax):
    market_item = WorkItem.objects.get(case=case_at_departments, task_spec="market_review")
    assert access.can_reassign(head_market, market_item)
    assert not access.can_reassign(head_market, tax_task(case_at_departments))
    assert not access.can_reassign(clerk_tax, tax_task(case_at_departments))


def test_cases_are_visible_to_the_departments_that_work_on_them(case_at_departments, reference, clerk_tax, designer):
    assert access.access_case_by_number(clerk_tax, case_at_departments.number)
    fresh = do_start_case(version=reference["parallel"], service_item=reference["item"])
    with pytest.raises(PermissionDenied, match=f"^您的部门没有办件 {fresh.number} 的任务。$"):
        access.access_case_by_number(clerk_tax, fresh.number)
    with translation.override("en"), pytest.raises(PermissionDenied, match="Your department has no work in case"):
        access.access_case_by_number(clerk_tax, fresh.number)
    with pytest.raises(PermissionDenied):
        access.access_case_by_number(designer, fresh.number)
    with pytest.raises(Http404, match="^没有办件 BL-1999-000001。$"):
        access.access_case_by_number(clerk_tax, "BL-1999-000001")


def test_anonymous_visitors_get_nothing(case_at_departments):
    anonymous = AnonymousUser()
    with pytest.raises(PermissionDenied):
        access.access_task_by_id(anonymous, tax_task(case_at_departments).pk)
    assert not access.can_take_in(anonymous) and not access.can_watch_deadlines(anonymous)


def test_identity_numbers_are_masked_unless_the_role_needs_them(
    case_at_departments, clerk_tax, clerk_market, frontdesk
):
    assert access.identity_for(clerk_tax, case_at_departments) == "110105********002X"
    assert access.identity_for(clerk_market, case_at_departments) == "11010519491231002X"
    assert access.identity_for(frontdesk, case_at_departments) == "11010519491231002X"


def test_a_task_is_reassigned_only_to_someone_of_its_department(
    case_at_departments, head_market, clerk_market, clerk_tax
):
    market_item = WorkItem.objects.get(case=case_at_departments, task_spec="market_review")
    access.access_reassign(head_market, market_item, clerk_market)
    with pytest.raises(PermissionDenied, match="^clerk_tax 不是市场监管的经办人。$"):
        access.access_reassign(head_market, market_item, clerk_tax)
    with (
        translation.override("en"),
        pytest.raises(PermissionDenied, match="^clerk_tax does not work in Market regulation.$"),
    ):
        access.access_reassign(head_market, market_item, clerk_tax)
    assert access.can_act_on_task(clerk_market, market_item) and not access.can_act_on_task(clerk_tax, market_item)


def test_a_decision_s_reason_is_kept_in_the_log(case_at_departments, clerk_tax):
    from engine.models import Event

    item = tax_task(case_at_departments)
    do_complete_task(
        item.pk,
        acting_user=clerk_tax,
        outcome="correction",
        data={"missing_materials": ["章程 articles of association"], "notice": "请补交章程原件"},
    )
    event = Event.objects.get(kind="task_completed", work_item=item.pk)
    assert event.data["form"]["missing_materials"] == ["章程 articles of association"]


def test_each_department_sees_only_the_application_fields_it_needs(
    reference, clerk_police, clerk_tax, clerk_market, supervisor
):
    from engine.models import Case

    case = do_start_case(version=reference["parallel"], service_item=reference["item"])
    Case.objects.filter(pk=case.pk).update(
        application={"registered_capital": "100", "business_scope": "软件开发", "address": "北京市"}
    )
    case.refresh_from_db()
    assert access.application_for(clerk_police, case) == {"address": "北京市"}
    assert set(access.application_for(clerk_tax, case)) == {"registered_capital", "business_scope", "address"}
    assert set(access.application_for(clerk_market, case)) == {"registered_capital", "business_scope", "address"}
    assert access.application_for(supervisor, case) == case.application


def test_a_clerk_whose_account_is_closed_is_given_no_task_by_any_way_in(
    client, reference, frontdesk, head_market, clerk_market
):
    """Who may be given a task is one rule (worklists.people.assignable): the page's list, the
    API and the write path all leave out a deactivated account."""
    from rest_framework.authtoken.models import Token

    from engine.actions import do_reassign_task
    from engine.errors import InvalidInput
    from worklists.people import do_create_staff

    case = do_start_case(service_item=reference["item"], acting_user=frontdesk)
    do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, acting_user=frontdesk, outcome="accept")
    market_item = WorkItem.objects.get(case=case, task_spec="market_review", state="open")
    departed = do_create_staff("clerk_market_departed", role="clerk", department="market")
    departed.is_active = False
    departed.save(update_fields=["is_active"])

    client.force_login(head_market)
    page = client.get(f"/tasks/{market_item.pk}/").content.decode()
    assert "clerk_market_departed" not in page and ">clerk_market<" in page
    refused = client.post(f"/tasks/{market_item.pk}/reassign/", {"assignee": departed.pk, "seen": "open:-"})
    assert refused.status_code == 400
    token = Token.objects.create(user=head_market)
    api = client.post(
        f"/api/v1/tasks/{market_item.pk}/reassign/",
        {"assignee": "clerk_market_departed"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert api.status_code == 400 and "clerk_market_departed" in api.json()["detail"]
    with pytest.raises(InvalidInput, match="clerk_market_departed 不是本部门在岗的经办人。"):
        do_reassign_task(market_item.pk, acting_user=head_market, assignee=departed)
    market_item.refresh_from_db()
    assert market_item.assignee_id is None
    do_reassign_task(market_item.pk, acting_user=head_market, assignee=clerk_market)  # the active one may be
