"""Specs: process definitions, their immutable versions, and the service catalogue."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProcessDefinition(models.Model):
    """A process key (the BPMN process id); its versions come from successive files."""

    key = models.SlugField(_("process key"), max_length=128, unique=True, help_text=_("The BPMN process id."))
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self):
        return f"{self.name} ({self.key})"

    def latest_version(self):
        return self.versions.order_by("-number").first()


class ProcessVersion(models.Model):
    """One deployed file. Never changes after deploy: running cases pin it."""

    class Dialect(models.TextChoices):
        # Which SpiffWorkflow parser built the spec; saved states must be restored with the
        # serializer of the same parser (their event-definition classes differ).
        CAMUNDA = "camunda", "Camunda Modeler"
        SPIFF = "spiff", "SpiffArena"

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="versions", verbose_name=_("process")
    )
    number = models.PositiveIntegerField(pgettext_lazy("version", "number"))
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    filename = models.CharField(_("file name"), max_length=255)
    bpmn_xml = models.TextField("BPMN XML")
    dialect = models.CharField(_("dialect"), max_length=16, choices=Dialect.choices)
    # What the engine and the worklists need per element, read once at deploy time from the
    # file (departments, limits, forms), so that nothing at run time re-reads the XML.
    elements = models.JSONField(
        _("elements"),
        default=dict,
        help_text=_(
            "What the engine and the worklists need of each element (departments, limits, forms), read from the file at deploy time."
        ),
    )
    deployed_at = models.DateTimeField(_("deployed at"), auto_now_add=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("deployed by")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["definition", "number"], name="process_version_number_unique")]
        ordering = ["definition", "number"]
        verbose_name = _("process version")
        verbose_name_plural = _("process versions")

    def __str__(self):
        return f"{self.definition.key} v{self.number}"

    @property
    def label(self) -> str:
        return f"{self.definition.key} v{self.number}"

    def user_task(self, task_spec: str) -> dict:
        return self.elements.get("user_tasks", {}).get(task_spec, {})


class ServiceItem(models.Model):
    """政务服务事项: an item in the service catalogue, started as a case on its process."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    process = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="service_items", verbose_name=_("process")
    )
    statutory_limit_working_days = models.PositiveIntegerField(_("statutory limit (working days)"), default=20)
    promised_limit_working_days = models.PositiveIntegerField(_("promised limit (working days)"), default=5)
    notify_commit_allowed = models.BooleanField(_("notify-and-commit offered"), default=False)
    # 告知承诺制: what the applicant commits to in writing, the DMN decision (its key) that says
    # whether an application may take the shortcut, and the post-check window: the deadline of
    # the process's post-check task (``post_check=true``), in working days from when it opens.
    commitment_text = models.TextField(
        _("commitment"), blank=True, help_text=_("What the applicant commits to in writing.")
    )
    eligibility_decision = models.CharField(
        _("eligibility decision"),
        max_length=64,
        blank=True,
        help_text=_("The key of the DMN decision that says whether an application may take notify-and-commit."),
    )
    post_check_window_working_days = models.PositiveIntegerField(
        _("post-check window (working days)"),
        null=True,
        blank=True,
        help_text=_("The deadline of the post-check task, in working days from when it opens."),
    )
    # 延期 (行政许可法 art. 42): how many working days an approved extension adds, and whose head
    # decides it (a department code; blank: the head of the department that asks).
    extension_working_days = models.PositiveIntegerField(
        _("extension (working days)"),
        default=10,
        db_default=10,
        help_text=_(
            "What an approved extension adds to the case's limits: 10 working days by law, 15 for joint handling."
        ),
    )
    extension_approver = models.CharField(
        _("extension decided by"),
        max_length=64,
        blank=True,
        db_default="",
        help_text=_(
            "The code of the department whose head decides extensions; blank: the head of the department asking."
        ),
    )
    materials = models.JSONField(
        _("materials"), default=list, blank=True, help_text=_("The materials an application brings, as a JSON list.")
    )
    # 信息互认 with need-to-know: department code -> the application fields it sees
    # (registered_capital, business_scope, address). A department not listed sees them all.
    department_fields = models.JSONField(
        _("fields each department sees"),
        default=dict,
        blank=True,
        help_text=_(
            "Department code -> the application fields it sees (registered_capital, business_scope, address). "
            "A department not listed sees them all."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self):
        return self.name


class DecisionVersion(models.Model):
    """决策表: a DMN decision, deployed like a process: immutable versions numbered per key.

    A service item names a decision by key and always asks its latest version, so changing a
    rule is deploying a new table, not changing code.
    """

    key = models.CharField(_("decision key"), max_length=64, help_text=_("The DMN decision's id."))
    number = models.PositiveIntegerField(pgettext_lazy("version", "number"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    dmn_xml = models.TextField("DMN XML")
    deployed_at = models.DateTimeField(_("deployed at"), default=timezone.now)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("deployed by")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "number"], name="decision_key_number_unique"),
            models.UniqueConstraint(fields=["key", "sha256"], name="decision_key_sha256_unique"),
        ]
        ordering = ["key", "-number"]
        verbose_name = _("decision table version")
        verbose_name_plural = _("decision table versions")

    def __str__(self):
        return f"{self.key} v{self.number}"

    @property
    def label(self) -> str:
        return f"{self.key} v{self.number}"
