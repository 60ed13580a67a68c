"""Specs: process definitions, their immutable versions, and the service catalogue."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProcessDefinition(models.Model):
    """A process key (the BPMN process id); its versions come from successive files."""

    key = models.SlugField(max_length=128, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

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

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    bpmn_xml = models.TextField()
    dialect = models.CharField(max_length=16, choices=Dialect.choices)
    # What the engine and the worklists need per element, read once at deploy time from the
    # file (departments, limits, forms), so that nothing at run time re-reads the XML.
    elements = models.JSONField(default=dict)
    deployed_at = models.DateTimeField(auto_now_add=True)
    deployed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["definition", "number"], name="process_version_number_unique")]
        ordering = ["definition", "number"]

    def __str__(self):
        return f"{self.definition.key} v{self.number}"

    @property
    def label(self) -> str:
        return f"{self.definition.key} v{self.number}"

    def user_task(self, task_spec: str) -> dict:
        return self.elements.get("user_tasks", {}).get(task_spec, {})


class ServiceItem(models.Model):
    """政务服务事项: an item in the service catalogue, started as a case on its process."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    process = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="service_items")
    statutory_limit_working_days = models.PositiveIntegerField(default=20)
    promised_limit_working_days = models.PositiveIntegerField(default=5)
    notify_commit_allowed = models.BooleanField(default=False)
    # 告知承诺制: what the applicant commits to in writing, the DMN decision (its key) that says
    # whether an application may take the shortcut, and the post-check window: the deadline of
    # the process's post-check task (``post_check=true``), in working days from when it opens.
    commitment_text = models.TextField(blank=True)
    eligibility_decision = models.CharField(max_length=64, blank=True)
    post_check_window_working_days = models.PositiveIntegerField(null=True, blank=True)
    materials = models.JSONField(default=list, blank=True)
    # 信息互认 with need-to-know: department code -> the application fields it sees
    # (registered_capital, business_scope, address). A department not listed sees them all.
    department_fields = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self):
        return self.name


class DecisionVersion(models.Model):
    """决策表: a DMN decision, deployed like a process: immutable versions numbered per key.

    A service item names a decision by key and always asks its latest version, so changing a
    rule is deploying a new table, not changing code.
    """

    key = models.CharField(max_length=64)  # the DMN decision's id
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    dmn_xml = models.TextField()
    deployed_at = models.DateTimeField(default=timezone.now)
    deployed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "number"], name="decision_key_number_unique"),
            models.UniqueConstraint(fields=["key", "sha256"], name="decision_key_sha256_unique"),
        ]
        ordering = ["key", "-number"]

    def __str__(self):
        return f"{self.key} v{self.number}"

    @property
    def label(self) -> str:
        return f"{self.key} v{self.number}"
