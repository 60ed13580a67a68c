"""Escalation (督办 / 梯次督查) in rows: the chain an administrator configures, the state the sweep
reads, and one row per level a late task reached. Imported by ``sla.models``; the logic lives in
``sla.escalation``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from workdays.calendar import OFFICE_HOURS

# One working day of office hours (09:00–12:00, 13:30–17:30): 7 hours.
WORKING_HOURS_PER_DAY = sum(
    (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) / 60 for opens, closes in OFFICE_HOURS
)


class EscalationStep(models.Model):
    """One level of an escalation chain. A department's own steps replace the default chain (the
    steps with no department) for that department's tasks; they are not merged with it."""

    class Who(models.TextChoices):
        DEPARTMENT_HEAD = "department_head", "部门负责人 head of the task's department"
        SUPERVISORS = "supervisors", "电子监察 all supervisors"
        USERS = "users", "指定人员 the users named below"

    department = models.ForeignKey(
        "worklists.Department",
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_steps",
        verbose_name="部门 department",
        help_text="留空：所有部门的默认督办链 Empty: the default chain for every department without its own.",
    )
    level = models.PositiveSmallIntegerField("级别 level", help_text="1, 2, 3 … in the order they are reached")
    who = models.CharField("通知对象 who", max_length=16, choices=Who.choices)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name="指定人员 users",
        help_text="“指定人员”时必填；其他选项下也一并通知 Required for “users”; with the other choices they are told as well.",
    )
    after_working_hours = models.FloatField(
        "超期工作小时 working hours past due",
        help_text="到期后多少个工作小时到达此级（一个工作日 = 7 小时）"
        "Working hours after the task's due time when this level is reached (one working day = 7 hours).",
    )

    class Meta:
        ordering = ["department_id", "level"]
        verbose_name = "督办级别 escalation step"
        verbose_name_plural = "督办链 escalation chain"
        constraints = [
            models.UniqueConstraint(fields=["department", "level"], name="escalationstep_department_level"),
            # NULLs are distinct in a unique constraint: the default chain needs its own.
            models.UniqueConstraint(
                fields=["level"], condition=Q(department__isnull=True), name="escalationstep_default_level"
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="escalationstep_level_from_1"),
            models.CheckConstraint(condition=Q(after_working_hours__gte=0), name="escalationstep_hours_not_negative"),
        ]

    def __str__(self):
        chain = self.department_id or "默认 default"
        return f"{chain} L{self.level}: {self.get_who_display()} +{self.after_working_hours:g}h"

    def clean(self):
        if self.after_working_hours is not None and self.after_working_hours < 0:
            raise ValidationError({"after_working_hours": "不能为负 Cannot be negative."})
        if self.level is None or self.after_working_hours is None:
            return
        siblings = EscalationStep.objects.filter(department_id=self.department_id).exclude(pk=self.pk)
        if siblings.filter(level__lt=self.level, after_working_hours__gt=self.after_working_hours).exists():
            raise ValidationError({"after_working_hours": "不能早于前一级 Cannot come before a lower level."})
        if siblings.filter(level__gt=self.level, after_working_hours__lt=self.after_working_hours).exists():
            raise ValidationError({"after_working_hours": "不能晚于后一级 Cannot come after a higher level."})


class EscalationState(models.Model):
    """Where a red task stands in its chain, and when its next level is due. Created by the
    escalation sweep when it first sees the task red; ``next_at`` is null once nothing more can
    happen (the chain is exhausted, or the task was completed or cancelled)."""

    work_item = models.OneToOneField(
        "worklists.WorkItem", primary_key=True, on_delete=models.CASCADE, related_name="escalation_state"
    )
    due_at = models.DateTimeField(help_text="the task's due_at the schedule was counted from")
    level = models.PositiveSmallIntegerField(default=0, help_text="the highest level reached (0: none yet)")
    next_level = models.PositiveSmallIntegerField(null=True, blank=True)
    next_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "督办状态 escalation state"
        verbose_name_plural = "督办状态 escalation states"
        indexes = [
            # Serves the escalation sweep: "states whose next level is due (next_at <= now)".
            models.Index(fields=["next_at"], name="escalation_next_due", condition=Q(next_at__isnull=False)),
        ]

    def __str__(self):
        return f"work item {self.work_item_id}: level {self.level}, next {self.next_level} at {self.next_at}"


class Escalation(models.Model):
    """A level a late task reached: written once per (task, level) by the escalation sweep."""

    work_item = models.ForeignKey("worklists.WorkItem", on_delete=models.CASCADE, related_name="escalations")
    case = models.ForeignKey("engine.Case", on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField("级别 level")
    step = models.ForeignKey(EscalationStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    who = models.CharField("通知对象 who", max_length=16, choices=EscalationStep.Who.choices)
    reached_at = models.DateTimeField("督办时间 reached at")
    due_at = models.DateTimeField("任务到期 task due at")
    overdue_working_hours = models.FloatField("超期工作小时 working hours overdue")
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="escalations_received", verbose_name="通知人员 notified"
    )

    class Meta:
        ordering = ["-reached_at", "-level"]
        verbose_name = "督办记录 escalation"
        verbose_name_plural = "督办记录 escalations"
        constraints = [
            # Two sweeps at once (two beat ticks, two workers): each level is reached once.
            models.UniqueConstraint(fields=["work_item", "level"], name="escalation_once_per_level"),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.work_item_id} L{self.level} at {self.reached_at:%Y-%m-%d %H:%M}"
