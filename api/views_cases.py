"""Cases: intake (一窗受理), a case as the user may see it, its event log, messages from other systems.

Thin views: parse → access → action → render.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.actions import do_deliver_message
from engine.case_moves import do_resume_case, do_suspend_case, do_terminate_case
from engine.casework import do_copy_case
from engine.formdata import check_json_text
from engine.models import Case
from processes.models import ServiceItem
from sla.extension_models import Extension
from sla.extensions import do_decide_extension, do_request_extension
from worklists.access import (
    access_case_by_number,
    access_case_move,
    access_copy,
    access_extension_decision,
    access_extension_request,
    access_intake,
    access_message_delivery,
)
from worklists.intake import IntakeForm, do_take_in_application
from worklists.models import Copy, Department

from . import serializers as s

ERRORS = {code: OpenApiResponse(s.ErrorSerializer) for code in (400, 401, 403, 404, 409)}


def errors(*codes):
    return {code: ERRORS[code] for code in codes}


def render_case(request, case, *, status_code=status.HTTP_200_OK, headers=None) -> Response:
    return Response(s.CaseSerializer(case, context={"user": request.user}).data, status=status_code, headers=headers)


class ServiceItemList(generics.ListAPIView):
    """The service catalogue: which material goes in which material_<i> of an intake."""

    serializer_class = s.ServiceItemSerializer

    def get_queryset(self):
        return ServiceItem.objects.filter(active=True).order_by("code")


class CaseIntake(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="cases_take_in",
        summary="Take in an application (一窗受理): the case starts",
        description="Front desk only. multipart/form-data with the applicant's and enterprise's data and one file "
        "per material the service item lists (material_0, material_1, ...: PDF, JPEG or PNG). The same "
        "intake_key again returns the case it started (200) instead of a second one (201). "
        "Nothing is stored unless everything is right.",
        request={"multipart/form-data": s.IntakeRequestSerializer},
        responses={201: s.CaseSerializer, 200: s.CaseSerializer, **errors(400, 401, 403)},
    )
    def post(self, request):
        access_intake(request.user)
        choice = s.ServiceItemChoiceSerializer(data=request.POST)
        choice.is_valid(raise_exception=True)
        item = ServiceItem.objects.filter(code=choice.validated_data["service_item"], active=True).first()
        if item is None:
            code = choice.validated_data["service_item"]
            raise ValidationError({"service_item": [_("No such service item: %(code)s.") % {"code": code}]})
        form = IntakeForm(request.POST, request.FILES, service_item=item)
        if not form.is_valid():
            raise ValidationError({field: [str(m) for m in messages] for field, messages in form.errors.items()})
        case, created = do_take_in_application(form, acting_user=request.user)
        return render_case(
            request,
            case,
            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": f"/api/v1/cases/{case.number}/"},
        )


class CaseDetail(APIView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="A case: status, lights, due dates, open tasks, each department's decision",
        responses={200: s.CaseSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, number):
        return render_case(request, access_case_by_number(request.user, number))


class CaseTimeline(generics.ListAPIView):
    """The case's event log, oldest first."""

    serializer_class = s.EventSerializer

    def get_queryset(self):
        case = access_case_by_number(self.request.user, self.kwargs["number"])
        return case.events.select_related("actor").order_by("id")

    @extend_schema(
        operation_id="cases_timeline", responses={200: s.EventSerializer(many=True), **errors(401, 403, 404)}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CaseMessages(APIView):
    @extend_schema(
        operation_id="cases_deliver_message",
        summary="Deliver a message from another system (e.g. bank_account_opened)",
        description="Administrators, or users holding the permission engine.deliver_message (an API client "
        "of the other system: manage.py api_token NAME --create --deliver-messages). 409 when the case "
        "does not wait for that message now or is no longer running.",
        request=s.MessageRequestSerializer,
        responses={200: s.MessageResultSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, number):
        access_message_delivery(request.user)
        body = s.MessageRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message, payload = body.validated_data["message"], body.validated_data["payload"]
        try:
            check_json_text(payload)
        except ValueError as error:
            raise ValidationError({"payload": [str(error)]}) from None
        if not Case.objects.filter(number=number).exists():
            raise Http404(_("There is no case %(number)s.") % {"number": number})
        case = do_deliver_message(number, message, payload=payload, acting_user=request.user)
        return Response(
            {"case": case.number, "message": message, "status": case.status, "end_activity": case.end_activity}
        )


class CaseSuspend(APIView):
    @extend_schema(
        operation_id="cases_suspend",
        summary="Suspend a case (中止), with the reason",
        description="The front desk, the head of a department with work in the case, administrators. While "
        "suspended the case clock and its tasks' clocks stand, tasks cannot be completed or sent back (409), "
        "messages are refused (409) and timers wait. 409 if it is already suspended or no longer running.",
        request=s.CaseMoveRequestSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, number):
        case = access_case_move(request.user, number)
        body = s.CaseMoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        do_suspend_case(case.number, acting_user=request.user, reason=body.validated_data["reason"])
        return render_case(request, access_case_by_number(request.user, number))


class CaseResume(APIView):
    @extend_schema(
        operation_id="cases_resume",
        summary="Resume a suspended case (恢复): each clock goes on with the time it had left",
        request=s.ResumeRequestSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, number):
        case = access_case_move(request.user, number)
        body = s.ResumeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        do_resume_case(case.number, acting_user=request.user, note=body.validated_data["note"])
        return render_case(request, access_case_by_number(request.user, number))


class CaseTerminate(APIView):
    @extend_schema(
        operation_id="cases_terminate",
        summary="Terminate a case (终止), or record that the applicant withdrew it (撤回申请)",
        description="Every open task and timer is cancelled; the case ends with the result terminated (or "
        "withdrawn) and no licence. The reason is required. 409 if the case is no longer running.",
        request=s.TerminateRequestSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, number):
        case = access_case_move(request.user, number)
        body = s.TerminateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        do_terminate_case(
            case.number,
            acting_user=request.user,
            reason=body.validated_data["reason"],
            applicant_withdrew=body.validated_data["applicant_withdrew"],
        )
        return render_case(request, access_case_by_number(request.user, number))


class CaseExtensions(APIView):
    @extend_schema(
        operation_id="cases_extensions",
        summary="The case's extension requests (延期) and their decisions",
        responses={200: s.ExtensionSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, number):
        case = access_case_by_number(request.user, number)
        rows = case.extensions.select_related("case", "requested_by", "decided_by").order_by("id")
        return Response(s.ExtensionSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="cases_extension_request",
        summary="Ask to extend the case's limits (延期, 行政许可法 art. 42), with the reason",
        description="A clerk or head of a department with open work in the case. The extension is the service "
        "item's (extension_working_days, 10 by default); the head of the item's extension_approver department "
        "(else the asking department's) decides. 409 when one already waits or the case is not running; 400 "
        "without a reason or once the statutory limit has run out.",
        request=s.ExtensionRequestSerializer,
        responses={201: s.ExtensionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, number):
        case = access_case_by_number(request.user, number)
        department = access_extension_request(request.user, case)
        body = s.ExtensionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extension = do_request_extension(
            case.number, acting_user=request.user, reason=body.validated_data["reason"], department=department
        )
        return Response(s.ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


class ExtensionDecision(APIView):
    @extend_schema(
        operation_id="extensions_decide",
        summary="Approve or refuse an extension (the deciding department's head)",
        description="Approved: the case's promised and statutory limits grow by the extension, its deadlines and "
        "light follow, and the notice to the applicant is recorded. 409 once decided.",
        request=s.ExtensionDecisionSerializer,
        responses={200: s.ExtensionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        extension = Extension.objects.select_related("case").filter(pk=pk).first()
        if extension is None:
            raise Http404(_("There is no extension %(id)s.") % {"id": pk})
        access_case_by_number(request.user, extension.case.number)
        access_extension_decision(request.user, extension)
        body = s.ExtensionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = do_decide_extension(
            extension.pk,
            acting_user=request.user,
            approve=body.validated_data["approve"],
            note=body.validated_data["note"],
        )
        decided.case.refresh_from_db()
        return Response(s.ExtensionSerializer(decided).data)


class CaseCopies(APIView):
    @extend_schema(
        operation_id="cases_copy",
        summary="Copy the case for information (抄送) to people and departments",
        description="Staff who may see the case. Each recipient may then read it and finds it in copies/mine/, "
        "unread. 400 naming nobody (or an unknown username or department).",
        request=s.CopyRequestSerializer,
        responses={201: s.CopySerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def post(self, request, number):
        case = access_case_by_number(request.user, number)
        access_copy(request.user, case)
        body = s.CopyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        names, codes = body.validated_data["people"], body.validated_data["departments"]
        people = list(get_user_model().objects.filter(username__in=names, is_active=True))
        unknown = sorted(set(names) - {u.username for u in people})
        if unknown:
            raise ValidationError({"people": [_("No such active user: %(names)s") % {"names": ", ".join(unknown)}]})
        missing = sorted(set(codes) - set(Department.objects.filter(code__in=codes).values_list("code", flat=True)))
        if missing:
            raise ValidationError({"departments": [_("No such department: %(codes)s") % {"codes": ", ".join(missing)}]})
        copies = do_copy_case(
            case.number, acting_user=request.user, people=people, departments=codes, note=body.validated_data["note"]
        )
        return Response(s.CopySerializer(copies, many=True).data, status=status.HTTP_201_CREATED)


class MyCopies(generics.ListAPIView):
    """Cases copied to me, unread first, newest first."""

    serializer_class = s.CopySerializer

    def get_queryset(self):
        rows = Copy.objects.filter(recipient=self.request.user).select_related("case", "recipient", "copied_by")
        return rows.order_by(F("read_at").asc(nulls_first=True), "-copied_at", "-id")

    @extend_schema(operation_id="copies_mine", responses={200: s.CopySerializer(many=True), **errors(401)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
