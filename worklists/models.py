"""Work items: one row per user task, the projection that every list and sweep reads."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from processes.names import in_language
from workdays.lateness import task_light


class Department(models.Model):
    """A department; BPMN lanes name them by code."""

    code = models.SlugField(pgettext_lazy("field", "code"), max_length=64, unique=True)
    name = models.CharField(pgettext_lazy("field", "name"), max_length=100)
    name_en = models.CharField(pgettext_lazy("field", "English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return in_language(self.name, self.name_en)  # the reader's language, where it has an English name


class WorkItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=WorkItem.State.OPEN)

    def queue(self, department_code: str):
        """A department's open work, the most urgent first."""
        return self.filter(department_id=department_code, state=WorkItem.State.OPEN).order_by("due_at", "id")

    def inbox(self, user):
        return self.filter(assignee=user, state=WorkItem.State.OPEN).order_by("due_at", "id")

    def archive(self, user):
        return self.filter(completed_by=user, state=WorkItem.State.COMPLETED).order_by("-completed_at")


class WorkItem(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("task", "open")
        COMPLETED = "completed", pgettext_lazy("task", "completed")
        CANCELLED = "cancelled", pgettext_lazy("task", "cancelled")
        SENT_BACK = "sent_back", pgettext_lazy("task", "sent back")  # 退回: to an earlier step
        WITHDRAWN = "withdrawn", pgettext_lazy("task", "withdrawn")  # 撤回: completed, then taken back

    case = models.ForeignKey(
        "engine.Case", on_delete=models.CASCADE, related_name="work_items", verbose_name=pgettext_lazy("field", "case")
    )
    version = models.ForeignKey(
        "processes.ProcessVersion", on_delete=models.PROTECT, verbose_name=pgettext_lazy("field", "process version")
    )
    service_item = models.ForeignKey(
        "processes.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=pgettext_lazy("field", "service item"),
    )
    # Not unique: a task sent back to or taken back opens again under the same id (engine.rewind);
    # only one of its items is open at a time (the constraint below).
    task_id = models.UUIDField(pgettext_lazy("field", "task id"))
    task_spec = models.CharField(pgettext_lazy("field", "step id"), max_length=128)
    name = models.CharField(pgettext_lazy("field", "name"), max_length=200)
    department = models.ForeignKey(
        Department,
        to_field="code",
        on_delete=models.PROTECT,
        related_name="work_items",
        verbose_name=pgettext_lazy("field", "department"),
    )
    candidate_group = models.CharField(pgettext_lazy("field", "candidate group"), max_length=64, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("field", "assignee"),
    )
    state = models.CharField(pgettext_lazy("field", "state"), max_length=16, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(pgettext_lazy("field", "opened at"), default=timezone.now)
    # 加签 (征求意见 / 会签): an opinion asked of another department or person before this task's
    # decision; an item of its own, with its own limit and light (engine.opinions).
    asked_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=pgettext_lazy("field", "opinion for"),
    )
    # How many opinions this task still waits for: read with the row, so that completing a task
    # costs no query to ask (engine.actions).
    open_opinions = models.PositiveSmallIntegerField(
        pgettext_lazy("field", "opinions awaited"), default=0, db_default=0
    )
    # 委派: someone else does the work (their "delegated to me" list); it comes back to the holder,
    # who completes it (engine.handover).
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegated_items",
        verbose_name=pgettext_lazy("field", "delegated to"),
    )
    delegated_at = models.DateTimeField(pgettext_lazy("field", "delegated at"), null=True, blank=True)
    # 转办 to another department: waits for that department head's acceptance (engine.handover).
    transfer_to = models.ForeignKey(
        Department,
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_offered",
        verbose_name=pgettext_lazy("field", "transfer to"),
    )
    transfer_reason = models.TextField(pgettext_lazy("field", "transfer reason"), blank=True, db_default="")
    # 催办: how often a supervisor or the department head urged the task, and when last (sla.urging).
    urges = models.PositiveIntegerField(pgettext_lazy("field", "urges"), default=0, db_default=0)
    last_urged_at = models.DateTimeField(pgettext_lazy("field", "last urged at"), null=True, blank=True)
    claimed_at = models.DateTimeField(pgettext_lazy("field", "claimed at"), null=True, blank=True)
    due_at = models.DateTimeField(pgettext_lazy("field", "promised limit"), null=True, blank=True)  # 承诺时限
    statutory_due_at = models.DateTimeField(
        pgettext_lazy("field", "statutory limit"), null=True, blank=True
    )  # 法定时限
    yellow_at = models.DateTimeField(pgettext_lazy("field", "turns yellow at"), null=True, blank=True)
    light = models.CharField(  # workdays.clock.Light
        pgettext_lazy("field", "light"), max_length=8, default="none", db_default="none"
    )
    limit_working_days = models.PositiveIntegerField(
        pgettext_lazy("field", "limit (working days)"), null=True, blank=True
    )
    limit_working_hours = models.FloatField(pgettext_lazy("field", "limit (working hours)"), null=True, blank=True)
    completed_at = models.DateTimeField(pgettext_lazy("field", "completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("field", "completed by"),
    )
    outcome = models.CharField(pgettext_lazy("field", "outcome"), max_length=64, blank=True)
    # Recorded by the step that closed the task after its due moment: office hours past it (0.0 for
    # an evening past a 17:30 deadline). Null for a task closed on time or still open. workdays.lateness.
    late_working_hours = models.FloatField(pgettext_lazy("field", "working hours late"), null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # Serves the department queue: open items of a department by due time, then id. The id
            # matters: deadlines fall at 17:30 of a working day, so thousands share one due_at,
            # and without it PostgreSQL sorts each such group instead of walking the index.
            models.Index(fields=["department", "state", "due_at", "id"], name="workitem_queue"),
            # Serves "my inbox": open items claimed by a user by due time.
            models.Index(fields=["assignee", "state", "due_at", "id"], name="workitem_inbox"),
            # Serve "delegated to me" and a department head's transfers to accept (rare rows).
            models.Index(
                fields=["delegate", "due_at"],
                name="workitem_delegated",
                condition=Q(state="open", delegate__isnull=False),
            ),
            models.Index(
                fields=["transfer_to"],
                name="workitem_transfer_offered",
                condition=Q(state="open", transfer_to__isnull=False),
            ),
            # Serves the engine's projection sync: the open items of one case.
            models.Index(fields=["case"], name="workitem_case_open", condition=Q(state="open")),
            # Serve the light sweep: open items about to turn red / yellow, by the moment they do.
            models.Index(
                fields=["due_at"], name="workitem_turns_red", condition=Q(state="open", light__in=["green", "yellow"])
            ),
            models.Index(fields=["yellow_at"], name="workitem_turns_yellow", condition=Q(state="open", light="green")),
            # Serves the supervisor's breach trend: tasks closed late, by the due moment they missed.
            models.Index(fields=["due_at"], name="workitem_closed_late", condition=Q(late_working_hours__isnull=False)),
        ]
        constraints = [
            # One open item per task of the process; it also serves the step's lookups by task id.
            # Its predicate names task_id (never null) so that only a query by task id can use it:
            # the sweeps' and lists' queries of open rows keep their own, smaller partial indexes.
            models.UniqueConstraint(
                fields=["task_id"],
                condition=Q(state="open", task_id__isnull=False),
                name="workitem_one_open_per_task",
            ),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.task_spec}"

    @cached_property  # a list annotates it in SQL (workdays.lateness.with_light): the same rule
    def light_now(self) -> str:
        """The light as of now, from the row's deadlines (not from when a sweep last looked)."""
        return task_light(self, timezone.now())


class Material(models.Model):
    """A document the applicant handed in, stored privately (see worklists.materials)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "engine.Case", on_delete=models.CASCADE, related_name="materials", verbose_name=pgettext_lazy("field", "case")
    )
    # one of the service item's materials
    kind = models.CharField(pgettext_lazy("field", "material"), max_length=200)
    original_name = models.CharField(pgettext_lazy("field", "file name"), max_length=255)
    content_type = models.CharField(pgettext_lazy("field", "file type"), max_length=64)
    size = models.PositiveIntegerField(pgettext_lazy("field", "size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField(pgettext_lazy("field", "stored as"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("field", "uploaded by"),
    )
    uploaded_at = models.DateTimeField(pgettext_lazy("field", "uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return f"{self.kind}: {self.original_name}"


class StaffMember(models.Model):
    """Who a user is at work: their department and role."""

    class Role(models.TextChoices):
        FRONT_DESK = "front_desk", _("front-desk clerk")
        CLERK = "clerk", _("department clerk")
        HEAD = "head", _("department head")
        SUPERVISOR = "supervisor", _("supervisor")
        DESIGNER = "designer", _("process designer")
        ADMIN = "admin", _("administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=pgettext_lazy("field", "user"),
    )
    department = models.ForeignKey(
        Department,
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=pgettext_lazy("field", "department"),
    )
    role = models.CharField(pgettext_lazy("field", "role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Copy(models.Model):
    """抄送: a case copied to a person for information. They may read the case (worklists.access)
    and find it under "copied to me", unread until they open it; nothing of the case waits on them."""

    case = models.ForeignKey(
        "engine.Case", on_delete=models.CASCADE, related_name="copies", verbose_name=pgettext_lazy("field", "case")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="copies",
        verbose_name=pgettext_lazy("field", "recipient"),
    )
    copied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="copies_sent",
        verbose_name=pgettext_lazy("field", "copied by"),
    )
    work_item = models.ForeignKey(
        WorkItem, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=pgettext_lazy("field", "task")
    )
    note = models.TextField(pgettext_lazy("field", "note"), blank=True)
    copied_at = models.DateTimeField(pgettext_lazy("field", "copied at"), default=timezone.now)
    read_at = models.DateTimeField(pgettext_lazy("field", "read at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "copy")
        verbose_name_plural = pgettext_lazy("model", "copies")
        indexes = [
            # Serves "copied to me": a user's copies, unread first, newest first.
            models.Index(fields=["recipient", "read_at", "-copied_at"], name="copy_inbox"),
        ]
        constraints = [models.UniqueConstraint(fields=["case", "recipient"], name="copy_once_per_person")]

    def __str__(self):
        return f"{self.case_id} → {self.recipient_id}"
