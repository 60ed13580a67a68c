"""The second reference process, 建筑工程施工许可: an inclusive gateway (the special reviews a
project needs), a multi-instance step (three experts at once) and a correction loop; and the
casework moves on it: a send-back inside the inclusive fan-out and past it, an opinion, a
suspension, a termination."""

from __future__ import annotations

from engine.actions import do_claim_task, do_complete_task, do_start_case
from engine.case_moves import do_resume_case, do_suspend_case, do_terminate_case
from engine.casework import do_send_back_task, send_back_choices
from engine.models import Case, Event
from engine.opinions import do_ask_opinion, do_give_opinion
from worklists.models import WorkItem

REASON = "图纸与申请不符 The drawings do not match the application"


def open_specs(case) -> list[str]:
    return sorted(WorkItem.objects.filter(case=case, state="open", asked_for=None).values_list("task_spec", flat=True))


def work(case, spec, user, outcome="approve", data=None):
    item = WorkItem.objects.filter(
        case=case, task_spec=spec, state="open", assignee=None
    ).first() or WorkItem.objects.get(case=case, task_spec=spec, state="open", assignee=user)
    if item.assignee_id is None:
        do_claim_task(item.pk, acting_user=user)
    return do_complete_task(item.pk, acting_user=user, outcome=outcome, data=data or {})


def started(construction, frontdesk, *, floor_area=800, has_basement=False):
    case = do_start_case(version=construction["version"], service_item=construction["item"], applicant_name="李雷")
    work(case, "intake", frontdesk, "accept", {"floor_area": floor_area, "has_basement": has_basement})
    return case


def test_the_special_reviews_a_project_needs_run_at_once_then_three_experts(
    construction, frontdesk, clerk_housing, clerk_housing_2, head_housing, clerk_fire, clerk_planning
):
    case = started(construction, frontdesk, floor_area=800, has_basement=False)
    work(case, "housing_review", clerk_housing)
    # Over 500 m², no basement: fire safety and planning, not civil air defence.
    assert open_specs(case) == ["fire_review", "planning_check"]
    work(case, "fire_review", clerk_fire)
    work(case, "planning_check", clerk_planning)
    experts = WorkItem.objects.filter(case=case, task_spec="expert_review", state="open")
    assert experts.count() == 3 and {e.department_id for e in experts} == {"housing"}
    for user in (clerk_housing, clerk_housing_2, head_housing):
        work(case, "expert_review", user)
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.result == Case.Result.GRANTED


def test_a_small_project_with_a_basement_needs_civil_air_defence_not_fire(construction, frontdesk, clerk_housing):
    case = started(construction, frontdesk, floor_area=200, has_basement=True)
    work(case, "housing_review", clerk_housing)
    assert open_specs(case) == ["civil_defense_review", "planning_check"]


def test_a_correction_loop_then_a_send_back_past_the_inclusive_fan_out(
    construction, frontdesk, clerk_housing, clerk_fire, clerk_planning
):
    case = started(construction, frontdesk)
    work(case, "housing_review", clerk_housing, "correction",
         {"missing_materials": ["施工合同"], "notice": "请补交施工合同。"})  # fmt: skip
    work(case, "housing_correction", frontdesk, "resubmitted")
    work(case, "housing_review", clerk_housing)
    work(case, "planning_check", clerk_planning)
    fire = WorkItem.objects.get(case=case, task_spec="fire_review", state="open")
    do_claim_task(fire.pk, acting_user=clerk_fire)
    # Every step of this case before it, nearest first: the review, its correction round, intake.
    assert [c["spec"] for c in send_back_choices(fire)] == ["housing_review", "housing_correction", "intake"]
    do_send_back_task(fire.pk, acting_user=clerk_fire, reason=REASON, to_step="housing_review")
    assert open_specs(case) == ["housing_review"]
    # Reviewed again, the special reviews run again and join once.
    work(case, "housing_review", clerk_housing)
    assert open_specs(case) == ["fire_review", "planning_check"]
    work(case, "fire_review", clerk_fire)
    work(case, "planning_check", clerk_planning)
    assert WorkItem.objects.filter(case=case, task_spec="expert_review", state="open").count() == 3


def test_an_opinion_a_suspension_and_a_termination_on_the_second_process(
    construction, frontdesk, clerk_housing, clerk_fire, head_housing
):
    case = started(construction, frontdesk)
    review = WorkItem.objects.get(case=case, task_spec="housing_review", state="open")
    do_claim_task(review.pk, acting_user=clerk_housing)
    opinion = do_ask_opinion(review.pk, acting_user=clerk_housing, question="消防间距是否满足？", department="fire")
    do_claim_task(opinion.pk, acting_user=clerk_fire)
    do_give_opinion(opinion.pk, acting_user=clerk_fire, opinion="满足")
    do_suspend_case(case.number, acting_user=head_housing, reason="等待检测报告")
    do_resume_case(case.number, acting_user=head_housing)
    do_terminate_case(case.number, acting_user=frontdesk, reason="申请人撤回", applicant_withdrew=True)
    case.refresh_from_db()
    assert case.status == Case.Status.CANCELLED and case.result == Case.Result.WITHDRAWN
    kinds = set(case.events.values_list("kind", flat=True))
    assert {"opinion_asked", "opinion_given", "case_suspended", "case_resumed", "case_terminated"} <= kinds
    assert Event.objects.filter(case=case, kind=Event.Kind.TASK_CANCELLED, activity="housing_review").exists()


def test_every_other_move_through_the_api_on_the_second_process(
    construction, frontdesk, clerk_housing, clerk_housing_2, head_housing, clerk_fire, supervisor
):
    from .test_api__cases import client_for

    case = started(construction, frontdesk)
    review = WorkItem.objects.get(case=case, task_spec="housing_review", state="open")
    housing, head = client_for(clerk_housing), client_for(head_housing)
    assert housing.post(f"/api/v1/tasks/{review.pk}/claim/").status_code == 200
    # 催办, 委派 and its return, then 撤回 after completing.
    assert client_for(supervisor).post(f"/api/v1/tasks/{review.pk}/urge/", {}, format="json").json()["urges"] == 1
    delegated = housing.post(f"/api/v1/tasks/{review.pk}/delegate/", {"to_user": "clerk_housing_2"}, format="json")
    assert delegated.status_code == 200 and delegated.json()["delegate"] == "clerk_housing_2"
    back = client_for(clerk_housing_2).post(f"/api/v1/tasks/{review.pk}/delegate/return/", {}, format="json")
    assert back.status_code == 200
    done = housing.post(f"/api/v1/tasks/{review.pk}/complete/", {"outcome": "approve"}, format="json")
    assert done.status_code == 200, done.json()
    taken_back = housing.post(f"/api/v1/tasks/{review.pk}/withdraw/", {}, format="json")
    assert taken_back.status_code == 200 and taken_back.json()["task_spec"] == "housing_review"
    # 延期: the item's own extension (15 working days, joint handling), decided by housing's head.
    asked = housing.post(f"/api/v1/cases/{case.number}/extensions/", {"reason": "需专家论证"}, format="json")
    assert asked.status_code == 201 and asked.json()["working_days"] == 15
    assert asked.json()["approver_department"] == "housing"
    decided = head.post(f"/api/v1/extensions/{asked.json()['id']}/decision/", {"approve": True}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    # 中止, 恢复, 抄送, 终止.
    assert head.post(f"/api/v1/cases/{case.number}/suspend/", {"reason": "检测"}, format="json").status_code == 200
    assert head.post(f"/api/v1/cases/{case.number}/resume/", {}, format="json").status_code == 200
    copied = housing.post(f"/api/v1/cases/{case.number}/copies/", {"departments": ["fire"]}, format="json")
    assert copied.status_code == 201 and [c["recipient"] for c in copied.json()] == ["clerk_fire"]
    ended = head.post(f"/api/v1/cases/{case.number}/terminate/", {"reason": "建设单位撤回"}, format="json")
    assert ended.status_code == 200 and ended.json()["result"] == "terminated"
    # 不予受理 on a new application of this process.
    fresh = do_start_case(version=construction["version"], service_item=construction["item"], applicant_name="王五")
    intake = WorkItem.objects.get(case=fresh, task_spec="intake", state="open")
    desk = client_for(frontdesk)
    assert desk.post(f"/api/v1/tasks/{intake.pk}/claim/").status_code == 200
    refused = desk.post(f"/api/v1/tasks/{intake.pk}/refuse/", {"reason": "不属于本机关职权"}, format="json")
    assert refused.status_code == 200 and Case.objects.get(pk=fresh.pk).result == Case.Result.NOT_ACCEPTED
