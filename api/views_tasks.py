"""Tasks: my inbox, a department's queue, one task, and what a clerk does with it.

Thin views: parse → access → action → render. The gate decides who may see or act; the write
path decides whether the task can still be acted on (409 when it no longer can).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.actions import do_claim_task, do_complete_task, do_reassign_task, do_unclaim_task
from engine.case_moves import do_refuse_application
from engine.casework import do_send_back_task, do_withdraw_task
from engine.decisions import CORRECTION, REJECT
from engine.handover import do_decide_transfer, do_delegate_task, do_return_delegation, do_transfer_task
from engine.opinions import do_ask_opinion, do_give_opinion, do_withdraw_opinion_request, opinions_of
from processes.names import in_language
from sla.urging import do_urge_task
from workdays.lateness import with_light
from worklists.access import (
    access_queue_by_department,
    access_reassign,
    access_task_by_id,
    access_transfer_decision,
    access_urge,
)
from worklists.models import WorkItem
from worklists.people import assignable

from . import serializers as s
from .views_cases import errors

TASK_LIST_RELATED = ("case", "service_item", "department", "assignee")


def task_rows():
    return WorkItem.objects.select_related(*TASK_LIST_RELATED)


def render_task(work_item_id: int) -> Response:
    item = task_rows().select_related("version", "completed_by").get(pk=work_item_id)
    return Response(s.TaskDetailSerializer(item).data)


def body_of(serializer_class, request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


class MyTasks(generics.ListAPIView):
    """My inbox: the open tasks I have claimed (or was assigned), the most urgent first."""

    serializer_class = s.TaskSerializer

    def get_queryset(self):
        return WorkItem.objects.inbox(self.request.user).select_related(*TASK_LIST_RELATED)

    @extend_schema(operation_id="tasks_mine", responses={200: s.TaskSerializer(many=True), **errors(401)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DepartmentQueue(generics.ListAPIView):
    """A department's open tasks by due time: the same SQL statements whatever the page size."""

    serializer_class = s.TaskSerializer

    def get_queryset(self):
        department = access_queue_by_department(self.request.user, self.kwargs["code"])
        filters = s.QueueFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        rows = WorkItem.objects.queue(department.code).select_related(*TASK_LIST_RELATED)
        given = filters.validated_data
        if "service_item" in given:
            rows = rows.filter(service_item__code=given["service_item"])
        if "light" in given:
            rows = with_light(rows, timezone.now()).filter(light_now=given["light"])
        if "case" in given:
            rows = rows.filter(case__number=given["case"])
        return rows

    @extend_schema(
        operation_id="departments_queue",
        parameters=[s.QueueFilterSerializer],
        responses={200: s.TaskSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TaskDetail(APIView):
    @extend_schema(
        operation_id="tasks_retrieve",
        summary="A task, with the outcomes and form fields it offers",
        responses={200: s.TaskDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, pk):
        item = access_task_by_id(request.user, pk)
        return render_task(item.pk)


class TaskClaim(APIView):
    @extend_schema(
        operation_id="tasks_claim",
        summary="Claim a task from the department queue into my inbox",
        request=None,
        responses={200: s.TaskDetailSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        do_claim_task(item.pk, acting_user=request.user)
        return render_task(item.pk)


class TaskUnclaim(APIView):
    @extend_schema(
        operation_id="tasks_unclaim",
        summary="Put a task I claimed back into the department queue",
        request=None,
        responses={200: s.TaskDetailSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        do_unclaim_task(item.pk, acting_user=request.user)
        return render_task(item.pk)


class TaskReassign(APIView):
    @extend_schema(
        operation_id="tasks_reassign",
        summary="Hand a task to a clerk of the department (department head)",
        request=s.ReassignRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk)
        access_reassign(request.user, item)
        username = body_of(s.ReassignRequestSerializer, request)["assignee"]
        assignee = assignable(item.department_id).filter(username=username).first()
        if assignee is None:
            department = in_language(item.department.name, item.department.name_en)
            raise ValidationError(
                {
                    "assignee": [
                        _("'%(user)s' is not on the staff of %(department)s.")
                        % {"user": username, "department": department}
                    ]
                }
            )
        do_reassign_task(item.pk, acting_user=request.user, assignee=assignee)
        return render_task(item.pk)


class TaskComplete(APIView):
    @extend_schema(
        operation_id="tasks_complete",
        summary="Complete a task with one of its outcomes and its form data",
        description="data is checked against the task's form fields: unknown fields are refused, required ones "
        "required, types checked. A rejection states its reason (reject_reason). 409 when the task is no "
        "longer open or someone else holds it. A correction request (补正) goes to /correction/ instead, so "
        "that it always carries its notice.",
        request=s.CompleteRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.CompleteRequestSerializer, request)
        outcome = body["outcome"]
        if outcome == CORRECTION and CORRECTION in (item.version.user_task(item.task_spec).get("outcomes") or []):
            url = f"/api/v1/tasks/{item.pk}/correction/"
            raise ValidationError(
                {
                    "outcome": [
                        _("Request a correction at %(url)s, with the notice listing everything missing.") % {"url": url}
                    ]
                }
            )
        # The decision's rules (the outcome offered, a rejection's reason, the form's fields) are
        # the write path's (engine.decisions); what it refuses comes back as 400 with its fields.
        data = {**body["data"], **({"reject_reason": body["reject_reason"]} if outcome == REJECT else {})}
        do_complete_task(item.pk, acting_user=request.user, outcome=outcome, data=data)
        return render_task(item.pk)


class TaskCorrection(APIView):
    @extend_schema(
        operation_id="tasks_request_correction",
        summary="Request a correction (补正, 一次性告知): every missing material in one notice",
        description="Completes the task with outcome 'correction' and data {missing_materials, notice}; the "
        "case clock stops until the material arrives.",
        request=s.CorrectionRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.CorrectionRequestSerializer, request)
        if CORRECTION not in (item.version.user_task(item.task_spec).get("outcomes") or []):
            raise ValidationError(
                {
                    "non_field_errors": [
                        _("'%(task)s' does not offer a correction request.") % {"task": in_language(item.name)}
                    ]
                }
            )
        data = {"missing_materials": list(body["missing_materials"]), "notice": body["notice"]}
        do_complete_task(item.pk, acting_user=request.user, outcome=CORRECTION, data=data)
        return render_task(item.pk)


class TaskSendBack(APIView):
    @extend_schema(
        operation_id="tasks_send_back",
        summary="Send the case back from this task to an earlier step (退回), with the reason",
        description="The earlier step opens again for its department and the work since is cancelled; inside a "
        "parallel fan-out only this branch goes back, past the fan-out every branch does. The steps offered are "
        "the task's send_back_to (GET the task). Only the clerk holding the task sends it back (409 otherwise); "
        "a missing reason or a step not offered is 400. Answers with the task sent back.",
        request=s.SendBackRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.SendBackRequestSerializer, request)
        do_send_back_task(item.pk, acting_user=request.user, reason=body["reason"], to_step=body["to_step"])
        return render_task(item.pk)


class TaskWithdraw(APIView):
    @extend_schema(
        operation_id="tasks_withdraw",
        summary="Take back a task I completed (撤回), while no one has acted on what followed",
        description="What the completion opened is cancelled and the task opens again in my inbox, with the "
        "working days it had left. 409 once anything happened after it (a later task claimed or completed, a "
        "message or timer caught, a result issued), or if someone else completed it. Answers with the task "
        "opened again.",
        request=s.WithdrawRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.WithdrawRequestSerializer, request)
        reopened = do_withdraw_task(item.pk, acting_user=request.user, reason=body["reason"])
        return render_task(reopened.pk)


class TaskUrge(APIView):
    @extend_schema(
        operation_id="tasks_urge",
        summary="Urge an open task (催办): counted on the task, the holder and the department head told",
        description="Supervisors and administrators urge any task, a department head their department's. The "
        "count (urges) shows on the task, the red list and the dashboard, and escalation notices mention it. "
        "409 when the task is no longer open.",
        request=s.UrgeRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk)
        access_urge(request.user, item)
        body = body_of(s.UrgeRequestSerializer, request)
        do_urge_task(item.pk, acting_user=request.user, note=body["note"])
        return render_task(item.pk)


class TaskRefuse(APIView):
    @extend_schema(
        operation_id="tasks_refuse_application",
        summary="Refuse the application at acceptance (不予受理), with the reason",
        description="Only on the task where the case is accepted (no step of the case done before it), by the "
        "clerk holding it. The case ends with the result not_accepted; the decision's text for the applicant is "
        "recorded. 409 if the case was accepted already (terminate it instead) or the task is not yours.",
        request=s.CaseMoveRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.CaseMoveRequestSerializer, request)
        do_refuse_application(item.pk, acting_user=request.user, reason=body["reason"])
        return render_task(item.pk)


def _active_user(username: str, field: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: [_("No such active user: %(names)s") % {"names": username}]})
    return user


class TaskTransfer(APIView):
    @extend_schema(
        operation_id="tasks_transfer",
        summary="Transfer a task I hold (转办): to a colleague, or offered to another department",
        description="To a colleague of the department (to_user): they hold it at once. To another department "
        "(to_department, with the reason): it waits for that department head's decision (transfer/decision/). "
        "409 unless you hold the task (and it is not delegated).",
        request=s.TransferRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.TransferRequestSerializer, request)
        to_user = _active_user(body["to_user"], "to_user") if body["to_user"] else None
        do_transfer_task(
            item.pk,
            acting_user=request.user,
            to_user=to_user,
            to_department=body["to_department"],
            reason=body["reason"],
        )
        return render_task(item.pk)


class TaskTransferDecision(APIView):
    @extend_schema(
        operation_id="tasks_transfer_decide",
        summary="Accept or refuse a task offered to my department (the department head)",
        request=s.TransferDecisionSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk)
        access_transfer_decision(request.user, item)
        body = body_of(s.TransferDecisionSerializer, request)
        do_decide_transfer(item.pk, acting_user=request.user, accept=body["accept"], note=body["note"])
        return render_task(item.pk)


class TaskDelegate(APIView):
    @extend_schema(
        operation_id="tasks_delegate",
        summary="Delegate the work of a task I hold (委派): it comes back to me to complete",
        request=s.DelegateRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.DelegateRequestSerializer, request)
        do_delegate_task(
            item.pk, acting_user=request.user, to_user=_active_user(body["to_user"], "to_user"), note=body["note"]
        )
        return render_task(item.pk)


class TaskDelegationReturn(APIView):
    @extend_schema(
        operation_id="tasks_delegation_return",
        summary="Return delegated work (the delegate), or recall it (the holder)",
        request=s.UrgeRequestSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk)
        body = body_of(s.UrgeRequestSerializer, request)
        do_return_delegation(item.pk, acting_user=request.user, note=body["note"])
        return render_task(item.pk)


class TaskOpinions(APIView):
    @extend_schema(
        operation_id="tasks_opinions",
        summary="The opinions a task asked for (加签): who, on what, due when, the answer",
        responses={200: s.OpinionSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, pk):
        item = access_task_by_id(request.user, pk)
        return Response(s.OpinionSerializer(opinions_of(item), many=True).data)

    @extend_schema(
        operation_id="tasks_ask_opinion",
        summary="Ask a department or a person for an opinion before deciding a task I hold (加签)",
        description="The request is a task of its own (in that department's queue, or the person's inbox) with "
        "its own working-day limit and light. The task cannot be completed until every opinion is in or its "
        "request withdrawn (409 meanwhile). Answers with the opinion request's task.",
        request=s.OpinionRequestSerializer,
        responses={201: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.OpinionRequestSerializer, request)
        person = _active_user(body["person"], "person") if body["person"] else None
        opinion = do_ask_opinion(
            item.pk,
            acting_user=request.user,
            question=body["question"],
            department=body["department"],
            person=person,
            working_days=body["working_days"],
        )
        response = render_task(opinion.pk)
        response.status_code = 201
        return response


class TaskOpinionAnswer(APIView):
    @extend_schema(
        operation_id="tasks_give_opinion",
        summary="Give the opinion an opinion request asks for",
        request=s.OpinionAnswerSerializer,
        responses={200: s.TaskDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk, act=True)
        body = body_of(s.OpinionAnswerSerializer, request)
        do_give_opinion(item.pk, acting_user=request.user, opinion=body["opinion"])
        return render_task(item.pk)


class TaskOpinionWithdraw(APIView):
    @extend_schema(
        operation_id="tasks_withdraw_opinion_request",
        summary="Withdraw an opinion request (the clerk holding the task that asked)",
        request=None,
        responses={200: s.TaskDetailSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        item = access_task_by_id(request.user, pk)
        do_withdraw_opinion_request(item.pk, acting_user=request.user)
        return render_task(item.pk)
