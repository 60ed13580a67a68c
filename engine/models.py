"""Instances: cases, their saved workflow state, waiting timers and the event log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from processes.results import Result
from workdays.lateness import case_is_late, case_light


class Case(models.Model):
    """办件: one application of one applicant, running one process instance."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        COMPLETED = "completed", pgettext_lazy("case", "completed")
        CANCELLED = "cancelled", pgettext_lazy("case", "cancelled")  # 终止: ended by a clerk, not the process
        FAILED = "failed", _("failed")

    Result = Result  # how the case ended: processes.results

    class Channel(models.TextChoices):
        WINDOW = "window", pgettext_lazy("channel", "at the window")
        ONLINE = "online", pgettext_lazy("channel", "online")

    number = models.CharField(max_length=32, unique=True)
    service_item = models.ForeignKey("processes.ServiceItem", null=True, blank=True, on_delete=models.PROTECT)
    version = models.ForeignKey("processes.ProcessVersion", on_delete=models.PROTECT, related_name="cases")
    applicant_name = models.CharField(max_length=100, blank=True)
    applicant_id_number = models.CharField(max_length=18, blank=True)
    enterprise_name = models.CharField(max_length=200, blank=True)
    enterprise_uscc = models.CharField(max_length=18, blank=True)
    notify_commit = models.BooleanField(default=False)
    # 一窗受理 or 一网通办: how the application came in. Reports count the applicant's trips
    # (最多跑一次, 全程网办) from it; see docs/metrics.md.
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WINDOW, db_default=Channel.WINDOW)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    # The end event the case finished on (e.g. end_issued, end_rejected), for reports.
    end_activity = models.CharField(max_length=128, blank=True)
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    steps = models.PositiveIntegerField(default=0)
    # The intake form's one-time key: a second submit of the same form finds this case
    # instead of starting another (a double click, a resent request).
    intake_key = models.UUIDField(null=True, blank=True, unique=True)
    # The application as entered once at the window (信息互认); departments see what they need.
    application = models.JSONField(default=dict, blank=True, db_default={})
    # The case clock (the service item's limits); stopped while the applicant corrects material
    # or a special step runs: clock_running_since is then null and the used days are kept.
    due_at = models.DateTimeField(null=True, blank=True)
    statutory_due_at = models.DateTimeField(null=True, blank=True)
    yellow_at = models.DateTimeField(null=True, blank=True)
    light = models.CharField(max_length=8, default="none", db_default="none")  # workdays.clock.Light
    clock_running_since = models.DateTimeField(null=True, blank=True)
    clock_used_working_days = models.PositiveIntegerField(default=0, db_default=0)
    # 办结: when the case's result was issued (or refused). The legal time limit ends here, even
    # if the process goes on (the rating window, a post-check of a commitment).
    concluded_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, blank=True, db_default="")
    # 超期: the first due moment the case clock ran past, written once by the step or the sweep
    # that saw it first; and the office hours the clock ran past its due moments, added up by the
    # steps that stopped it (a correction) or concluded the case late. See workdays.lateness.
    breached_at = models.DateTimeField(null=True, blank=True)
    late_working_hours = models.FloatField(null=True, blank=True)
    # 中止 (行政许可法 art. 45): since when the case is suspended, pending a court decision, a
    # hearing, a test. Its tasks cannot be completed, its clocks stand, its timers wait.
    suspended_at = models.DateTimeField(null=True, blank=True)
    # 延期 (art. 42): working days approved extensions added to the case's limits (sla.extensions).
    extended_working_days = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        indexes = [
            models.Index(fields=["status", "started_at"], name="case_status_started"),
            # Serve the light sweep: running cases about to turn red / yellow.
            models.Index(
                fields=["due_at"], name="case_turns_red", condition=Q(status="running", light__in=["green", "yellow"])
            ),
            models.Index(fields=["yellow_at"], name="case_turns_yellow", condition=Q(status="running", light="green")),
            # Serves the supervisor's breach trend: late cases by the due moment they missed.
            models.Index(fields=["breached_at"], name="case_breached", condition=Q(breached_at__isnull=False)),
        ]
        verbose_name = _("case")
        verbose_name_plural = pgettext_lazy("model", "cases")

    def __str__(self):
        return self.number

    @cached_property  # one moment for the whole page that shows it
    def light_now(self) -> str:
        """The light as of now (paused while the clock stands; final once concluded)."""
        return case_light(self, timezone.now())

    @property
    def late(self) -> bool:
        return case_is_late(self, timezone.now())


class CaseCounter(models.Model):
    """The last case number handed out in a year; locked while a case starts."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class InstanceState(models.Model):
    """The SpiffWorkflow state of a case, without its spec. Read only by the engine."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="instance")
    state = models.TextField()
    size = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workflow state")
        verbose_name_plural = _("workflow states")

    def __str__(self):
        return f"state of case {self.case_id} ({self.size} bytes)"


class WaitingTimer(models.Model):
    """A BPMN timer event a case waits on; swept by due_at, so a timer survives any restart."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timers")
    task_id = models.UUIDField()
    task_spec = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    fired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "task_id"], name="timer_case_task_unique")]
        indexes = [
            # Serves the sweep: "pending timers with due_at <= now", oldest first.
            models.Index(
                fields=["due_at"],
                name="timer_pending_due",
                condition=Q(fired_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]
        verbose_name = _("waiting timer")
        verbose_name_plural = _("waiting timers")

    def __str__(self):
        return f"{self.task_spec} of case {self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    """The append-only event log. Every change of state writes one row in its own transaction."""

    class Kind(models.TextChoices):
        VERSION_DEPLOYED = "version_deployed", pgettext_lazy("event", "version deployed")
        CASE_STARTED = "case_started", pgettext_lazy("event", "case started")
        TASK_OPENED = "task_opened", pgettext_lazy("event", "task opened")
        TASK_CLAIMED = "task_claimed", pgettext_lazy("event", "task claimed")
        TASK_UNCLAIMED = "task_unclaimed", pgettext_lazy("event", "task unclaimed")
        TASK_REASSIGNED = "task_reassigned", pgettext_lazy("event", "task reassigned")
        TASK_COMPLETED = "task_completed", pgettext_lazy("event", "task completed")
        TASK_CANCELLED = "task_cancelled", pgettext_lazy("event", "task cancelled")
        TASK_SENT_BACK = "task_sent_back", pgettext_lazy("event", "task sent back")
        TASK_WITHDRAWN = "task_withdrawn", pgettext_lazy("event", "task withdrawn")
        TASK_URGED = "task_urged", pgettext_lazy("event", "task urged")
        TASK_TRANSFERRED = "task_transferred", pgettext_lazy("event", "task transferred")
        TRANSFER_OFFERED = "transfer_offered", pgettext_lazy("event", "transfer offered")
        TRANSFER_REFUSED = "transfer_refused", pgettext_lazy("event", "transfer refused")
        TASK_DELEGATED = "task_delegated", pgettext_lazy("event", "task delegated")
        OPINION_ASKED = "opinion_asked", pgettext_lazy("event", "opinion asked")
        OPINION_GIVEN = "opinion_given", pgettext_lazy("event", "opinion given")
        OPINION_WITHDRAWN = "opinion_withdrawn", pgettext_lazy("event", "opinion request withdrawn")
        DELEGATION_RETURNED = "delegation_returned", pgettext_lazy("event", "delegated work returned")
        CASE_COPIED = "case_copied", pgettext_lazy("event", "case copied")
        CASE_SUSPENDED = "case_suspended", pgettext_lazy("event", "case suspended")
        CASE_RESUMED = "case_resumed", pgettext_lazy("event", "case resumed")
        CASE_TERMINATED = "case_terminated", pgettext_lazy("event", "case terminated")
        CASE_NOT_ACCEPTED = "case_not_accepted", pgettext_lazy("event", "application not accepted")
        EXTENSION_REQUESTED = "extension_requested", pgettext_lazy("event", "extension requested")
        EXTENSION_APPROVED = "extension_approved", pgettext_lazy("event", "extension approved")
        EXTENSION_REFUSED = "extension_refused", pgettext_lazy("event", "extension refused")
        TIMER_FIRED = "timer_fired", pgettext_lazy("event", "timer fired")
        MESSAGE_RECEIVED = "message_received", pgettext_lazy("event", "message received")
        CASE_ENDED = "case_ended", pgettext_lazy("event", "case ended")
        CASE_FAILED = "case_failed", pgettext_lazy("event", "case failed")
        CLOCK_PAUSED = "clock_paused", pgettext_lazy("event", "clock paused")
        CLOCK_RESUMED = "clock_resumed", pgettext_lazy("event", "clock resumed")
        TASK_OVERDUE = "task_overdue", pgettext_lazy("event", "task overdue")
        CASE_OVERDUE = "case_overdue", pgettext_lazy("event", "case overdue")
        ESCALATED = "escalated", pgettext_lazy("event", "escalated")
        LICENCE_ISSUED = "licence_issued", pgettext_lazy("event", "licence issued")
        LICENCE_REVOKED = "licence_revoked", pgettext_lazy("event", "licence revoked")
        CASE_CONCLUDED = "case_concluded", pgettext_lazy("event", "result issued")
        RESULT_FLAGGED = "result_flagged", pgettext_lazy("event", "result flagged for review")
        CREDIT_RECORDED = "credit_recorded", pgettext_lazy("event", "credit record")
        CASE_MIGRATED = "case_migrated", pgettext_lazy("event", "case migrated")

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey("processes.ProcessVersion", null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    activity = models.CharField(max_length=128, blank=True)
    activity_name = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    task_id = models.UUIDField(null=True, blank=True)
    work_item = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["case", "id"], name="event_case_order"),
            models.Index(fields=["version", "kind", "at"], name="event_version_kind_at"),
            # Serves the breach chart: overdue events of the last 30 days.
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("event log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.activity}"
