"""What the API reads and writes. Output serializers render rows; input serializers parse bodies.

Input validation that is a business rule lives elsewhere, once: the intake rules in
worklists.intake.IntakeForm, form data in engine.formdata and engine.decisions, who may do what in worklists.access.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engine.casework import send_back_choices
from workdays.clock import Light
from worklists.access import application_for, identity_for

LIGHTS = [Light.GREEN, Light.YELLOW, Light.RED, Light.PAUSED, Light.NONE]
# The intake form names materials material_0, material_1, ... in the order the service item
# lists them (GET /api/v1/service-items/); the schema documents this many.
SCHEMA_MATERIALS = 10


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(
        help_text="why, in the request's language: Accept-Language en for English, 简体中文 by default"
    )
    errors = serializers.DictField(required=False, help_text="field -> messages, on 400 from validation")


# --- output ------------------------------------------------------------------------------------


class ServiceItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    statutory_limit_working_days = serializers.IntegerField()
    promised_limit_working_days = serializers.IntegerField()
    notify_commit_allowed = serializers.BooleanField()
    commitment_text = serializers.CharField(help_text="what the applicant signs when choosing notify-and-commit")
    eligibility_decision = serializers.CharField(help_text="the DMN decision that says who may commit; empty: everyone")
    post_check_window_working_days = serializers.IntegerField(allow_null=True)
    materials = serializers.ListField(
        child=serializers.CharField(), help_text="upload material_<i> for the i-th, from 0"
    )


class TaskSerializer(serializers.Serializer):
    """One work item in a list (inbox, queue, a case's open tasks)."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    service_item = serializers.CharField(source="service_item.code", default=None, allow_null=True)
    task_spec = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    state = serializers.CharField()
    light = serializers.ChoiceField(
        choices=LIGHTS, source="light_now", help_text="as of now for an open task; a closed task's light when it closed"
    )
    late_working_hours = serializers.FloatField(
        allow_null=True, help_text="office hours a closed task ran past its due moment"
    )
    opened_at = serializers.DateTimeField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="the promised limit (承诺时限)")
    statutory_due_at = serializers.DateTimeField(allow_null=True, help_text="the statutory limit (法定时限)")
    limit_working_days = serializers.IntegerField(allow_null=True)
    urges = serializers.IntegerField(help_text="how often the task was urged (催办)")
    delegate = serializers.CharField(
        source="delegate.username", default=None, allow_null=True, help_text="who the work is delegated to (委派)"
    )
    transfer_to = serializers.CharField(
        source="transfer_to_id",
        allow_null=True,
        help_text="the department it is offered to (转办), waiting for its head",
    )


class FormFieldValueSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(allow_null=True)


class FormFieldSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(help_text="string, long, boolean, date (YYYY-MM-DD) or enum")
    required = serializers.BooleanField()
    default = serializers.CharField(allow_null=True)
    values = FormFieldValueSerializer(many=True, help_text="the choices of an enum field")


class StepChoiceSerializer(serializers.Serializer):
    step = serializers.CharField(source="spec", help_text="the step's id in the BPMN")
    name = serializers.CharField()


class TaskDetailSerializer(TaskSerializer):
    case_status = serializers.CharField(source="case.status")
    completed_at = serializers.DateTimeField(allow_null=True)
    completed_by = serializers.CharField(source="completed_by.username", default=None, allow_null=True)
    outcome = serializers.CharField()
    outcomes = serializers.SerializerMethodField(help_text="the outcomes the task offers; complete with one of them")
    form_fields = serializers.SerializerMethodField(help_text="the fields complete's data may carry")

    send_back_to = serializers.SerializerMethodField(
        help_text="the earlier steps this open task may send the case back to (退回), nearest first"
    )

    @extend_schema_field(StepChoiceSerializer(many=True))
    def get_send_back_to(self, item):
        return StepChoiceSerializer(send_back_choices(item), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_outcomes(self, item) -> list[str]:
        return item.version.user_task(item.task_spec).get("outcomes") or []

    @extend_schema_field(FormFieldSerializer(many=True))
    def get_form_fields(self, item):
        return FormFieldSerializer(item.version.user_task(item.task_spec).get("form_fields") or [], many=True).data


class DecisionSerializer(serializers.Serializer):
    """A department's latest completion of one of its tasks in the case."""

    department = serializers.CharField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    task_spec = serializers.CharField()
    name = serializers.CharField()
    outcome = serializers.CharField()
    decided_at = serializers.DateTimeField(source="completed_at")
    decided_by = serializers.CharField(source="completed_by.username", default=None, allow_null=True)


class MaterialSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class CaseSerializer(serializers.Serializer):
    """One case as the user may see it: the resident ID masked unless their role needs it."""

    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    service_item = serializers.CharField(source="service_item.code", default=None, allow_null=True)
    process = serializers.CharField(source="version.label")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_activity = serializers.CharField()
    applicant_name = serializers.CharField()
    applicant_id_number = serializers.SerializerMethodField(
        help_text="masked (110105********1234) unless the role needs it"
    )
    enterprise_name = serializers.CharField()
    enterprise_uscc = serializers.CharField()
    notify_commit = serializers.BooleanField()
    channel = serializers.CharField(help_text="window or online: how the application came in")
    application = serializers.SerializerMethodField(
        help_text="the application fields the caller's department needs (信息互认); with a commitment, `commitment`: the text signed and the decision that allowed it"
    )
    licences = serializers.SerializerMethodField(
        help_text="the case's e-licences: number, kind, status, flagged for review"
    )
    result = serializers.CharField(
        help_text="how the case ended: granted, refused, not_accepted, withdrawn, terminated, done; empty while open"
    )
    result_display = serializers.CharField(source="get_result_display")
    light = serializers.ChoiceField(
        choices=LIGHTS, source="light_now", help_text="as of now; final once the case is concluded"
    )
    late = serializers.BooleanField(help_text="the case clock ran past its due moment (超期), at any time")
    breached_at = serializers.DateTimeField(allow_null=True, help_text="the first due moment the case clock ran past")
    late_working_hours = serializers.FloatField(
        allow_null=True, help_text="office hours the case clock ran past its due moments"
    )
    due_at = serializers.DateTimeField(allow_null=True, help_text="the case's promised limit")
    statutory_due_at = serializers.DateTimeField(allow_null=True)
    clock_running = serializers.SerializerMethodField(
        help_text="false while the applicant corrects material or a special step runs"
    )
    clock_used_working_days = serializers.IntegerField()
    suspended_at = serializers.DateTimeField(
        allow_null=True, help_text="since when the case is suspended (中止); null while it runs"
    )
    open_tasks = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()

    def get_applicant_id_number(self, case) -> str:
        return identity_for(self.context["user"], case)

    def get_application(self, case) -> dict:
        return application_for(self.context["user"], case)

    def get_licences(self, case) -> list[dict]:
        return [
            {
                "number": licence.number,
                "kind": licence.kind,
                "status": licence.status,
                "flagged": licence.flagged_at is not None,
            }
            for licence in case.licences.order_by("id")
        ]

    def get_clock_running(self, case) -> bool:
        return case.clock_running_since is not None

    @extend_schema_field(TaskSerializer(many=True))
    def get_open_tasks(self, case):
        items = case.work_items.filter(state="open").select_related("case", "service_item", "department", "assignee")
        return TaskSerializer(items.order_by("due_at", "id"), many=True).data

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, case):
        done = (
            case.work_items.filter(state="completed")
            .select_related("department", "completed_by")
            .order_by("completed_at", "id")
        )
        latest = {}
        for item in done:  # a task worked twice (after a correction): its last word counts
            latest.pop((item.department_id, item.task_spec), None)
            latest[(item.department_id, item.task_spec)] = item
        return DecisionSerializer(list(latest.values()), many=True).data

    @extend_schema_field(MaterialSerializer(many=True))
    def get_materials(self, case):
        return MaterialSerializer(case.materials.order_by("uploaded_at", "kind"), many=True).data


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    activity = serializers.CharField()
    activity_name = serializers.CharField()
    department = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    work_item = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    data = serializers.DictField()


class MessageResultSerializer(serializers.Serializer):
    case = serializers.CharField()
    message = serializers.CharField()
    status = serializers.CharField(help_text="the case's status after the message")
    end_activity = serializers.CharField()


# --- input -------------------------------------------------------------------------------------


class IntakeRequestSerializer(serializers.Serializer):
    """The schema of POST /cases/ (multipart). The rules are worklists.intake.IntakeForm's."""

    service_item = serializers.SlugField(max_length=64, help_text="e.g. business_registration")
    intake_key = serializers.UUIDField(
        help_text="a new UUID per application: a resend with the same key returns the same case"
    )
    applicant_name = serializers.CharField(max_length=100)
    applicant_id_number = serializers.CharField(max_length=18, help_text="居民身份证号码, check digit verified")
    enterprise_name = serializers.CharField(max_length=200)
    enterprise_uscc = serializers.CharField(max_length=18, help_text="统一社会信用代码, check digit verified")
    registered_capital = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    business_scope = serializers.CharField(max_length=2000)
    address = serializers.CharField(max_length=300)
    notify_commit = serializers.BooleanField(required=False, help_text="only where the service item allows it")
    channel = serializers.ChoiceField(
        choices=["window", "online"],
        required=False,
        help_text="window (default) or online: an online portal (一网通办) submitting for the applicant",
    )

    def get_fields(self):
        fields = super().get_fields()
        for index in range(SCHEMA_MATERIALS):
            fields[f"material_{index}"] = serializers.FileField(
                required=False,
                help_text=f"PDF, JPEG or PNG: the service item's material #{index}, required if it lists one",
            )
        return fields


class ServiceItemChoiceSerializer(serializers.Serializer):
    service_item = serializers.SlugField(max_length=64)


class QueueFilterSerializer(serializers.Serializer):
    service_item = serializers.SlugField(max_length=64, required=False, help_text="a service item code")
    light = serializers.ChoiceField(choices=LIGHTS, required=False)
    case = serializers.RegexField(r"^[A-Za-z0-9_-]{1,32}$", required=False, help_text="a case number")


class ReassignRequestSerializer(serializers.Serializer):
    assignee = serializers.CharField(max_length=150, help_text="username of a clerk or head of the task's department")


class CompleteRequestSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="one of the task's outcomes; a correction request has its own endpoint",
    )
    data = serializers.DictField(
        required=False, default=dict, help_text="form field id -> value, checked against form_fields"
    )
    reject_reason = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="required with outcome 'reject' (不予许可须说明理由)",
    )


class SendBackRequestSerializer(serializers.Serializer):
    """退回: to an earlier step, with the reason."""

    to_step = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        help_text="one of the task's send_back_to steps; empty: the nearest",
    )
    reason = serializers.CharField(max_length=2000, help_text="why, for the department the case goes back to")


class WithdrawRequestSerializer(serializers.Serializer):
    """撤回: a completed task taken back by the clerk who completed it."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TransferRequestSerializer(serializers.Serializer):
    to_user = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="a colleague's username"
    )
    to_department = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="or another department's code"
    )
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="required for another department"
    )


class TransferDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DelegateRequestSerializer(serializers.Serializer):
    to_user = serializers.CharField(max_length=150, help_text="the username of who does the work")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OpinionRequestSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=2000, allow_blank=True, help_text="what the opinion is asked on")
    department = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    person = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="a username, instead of a department"
    )
    working_days = serializers.IntegerField(required=False, default=3, min_value=1, max_value=30)


class OpinionSerializer(serializers.Serializer):
    task = serializers.IntegerField(source="item.pk", help_text="the opinion request's own task id")
    department = serializers.CharField(source="item.department_id")
    person = serializers.CharField(source="item.assignee.username", default=None, allow_null=True)
    state = serializers.CharField(source="item.state")
    due_at = serializers.DateTimeField(source="item.due_at", allow_null=True)
    question = serializers.CharField(source="asked.data.question", default="")
    opinion = serializers.CharField(source="given.data.opinion", default=None, allow_null=True)


class OpinionAnswerSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=2000, allow_blank=True)


class UrgeRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExtensionSerializer(serializers.Serializer):
    """延期: a request to extend the case's limits and its decision."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    working_days = serializers.IntegerField()
    reason = serializers.CharField()
    state = serializers.CharField(help_text="requested, approved or refused")
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    approver_department = serializers.CharField(help_text="the department whose head decides")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    notice = serializers.CharField(help_text="the notice to the applicant, once approved (延期通知)")
    statutory_due_at = serializers.DateTimeField(source="case.statutory_due_at", allow_null=True)


class ExtensionRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, help_text="why the case needs more time")


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true approves, false refuses")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CopySerializer(serializers.Serializer):
    """抄送: a case copied to someone for information."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    recipient = serializers.CharField(source="recipient.username")
    copied_by = serializers.CharField(source="copied_by.username")
    note = serializers.CharField()
    copied_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True, help_text="null while unread; opening the case reads it")


class CopyRequestSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, default=list, help_text="usernames"
    )
    departments = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="department codes: all their active staff",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CaseMoveRequestSerializer(serializers.Serializer):
    """中止 or 终止: the reason is required (the write path says so if it is blank)."""

    reason = serializers.CharField(max_length=2000, allow_blank=True, help_text="why, for the case's record")


class TerminateRequestSerializer(CaseMoveRequestSerializer):
    applicant_withdrew = serializers.BooleanField(
        required=False,
        default=False,
        help_text="the applicant withdrew the application (撤回申请): the result is withdrawn",
    )


class ResumeRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CorrectionRequestSerializer(serializers.Serializer):
    """补正 (一次性告知): everything missing, in one notice."""

    missing_materials = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=50)
    notice = serializers.CharField(max_length=5000, help_text="the notice to the applicant, listing everything at once")


class MessageRequestSerializer(serializers.Serializer):
    message = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]{1,128}$", help_text="the BPMN message name, e.g. bank_account_opened"
    )
    payload = serializers.DictField(required=False, default=dict)
