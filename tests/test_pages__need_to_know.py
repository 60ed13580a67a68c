"""信息互认 with need-to-know: the application is entered once, each department sees its part."""

from engine.actions import do_complete_task, do_start_case
from engine.models import Case
from worklists.models import WorkItem


def test_the_police_task_page_shows_the_address_but_not_the_capital_or_the_full_id(client, reference, clerk_police):
    case = do_start_case(
        version=reference["parallel"], service_item=reference["item"], applicant_id_number="11010519491231002X"
    )
    Case.objects.filter(pk=case.pk).update(
        application={
            "registered_capital": "987654",
            "business_scope": "秘密经营范围",
            "address": "北京市朝阳区建国路 1 号",
        }
    )
    do_complete_task(WorkItem.objects.get(case=case, task_spec="intake").pk, outcome="accept")
    do_complete_task(WorkItem.objects.get(case=case, task_spec="market_review").pk, outcome="approve")
    police = WorkItem.objects.get(case=case, task_spec="police_review")
    client.force_login(clerk_police)
    for path in (f"/tasks/{police.pk}/", f"/cases/{case.number}/"):
        html = client.get(path).content.decode()
        assert "北京市朝阳区建国路 1 号" in html, path
        assert "987654" not in html and "秘密经营范围" not in html, path
        assert "11010519491231002X" not in html and "110105********002X" in html, path
