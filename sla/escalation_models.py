"""Escalation (督办 / 梯次督查) in rows: the chain an administrator configures, the state the sweep
reads, and one row per level a late task reached. Imported by ``sla.models``; the logic lives in
``sla.escalation``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from workdays.calendar import OFFICE_HOURS

# One working day of office hours (09:00–12:00, 13:30–17:30): 7 hours.
WORKING_HOURS_PER_DAY = sum(
    (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) / 60 for opens, closes in OFFICE_HOURS
)


class EscalationStep(models.Model):
    """One level of an escalation chain. A department's own steps replace the default chain (the
    steps with no department) for that department's tasks; they are not merged with it."""

    class Who(models.TextChoices):
        DEPARTMENT_HEAD = "department_head", _("head of the task's department")
        SUPERVISORS = "supervisors", _("all supervisors")
        USERS = "users", _("the users named below")

    department = models.ForeignKey(
        "worklists.Department",
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_steps",
        verbose_name=_("department"),
        help_text=_("Empty: the default chain, for every department without a chain of its own."),
    )
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1, 2, 3 … in the order they are reached"))
    who = models.CharField(_("who is notified"), max_length=16, choices=Who.choices)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("named users"),
        help_text=_("Required for “the users named below”; with the other choices they are notified as well."),
    )
    after_working_hours = models.FloatField(
        _("working hours past due"),
        help_text=_("Working hours after the task's due time when this level is reached (one working day = 7 hours)."),
    )

    class Meta:
        ordering = ["department_id", "level"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation chain")
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
        chain = self.department_id or pgettext("escalation chain", "default")
        return gettext("%(chain)s level %(level)s: %(who)s, %(hours)s working hours past due") % {
            "chain": chain,
            "level": self.level,
            "who": self.get_who_display(),
            "hours": f"{self.after_working_hours:g}",
        }

    def clean(self):
        if self.after_working_hours is not None and self.after_working_hours < 0:
            raise ValidationError({"after_working_hours": _("Cannot be negative.")})
        if self.level is None or self.after_working_hours is None:
            return
        siblings = EscalationStep.objects.filter(department_id=self.department_id).exclude(pk=self.pk)
        if siblings.filter(level__lt=self.level, after_working_hours__gt=self.after_working_hours).exists():
            raise ValidationError({"after_working_hours": _("Cannot come before a lower level.")})
        if siblings.filter(level__gt=self.level, after_working_hours__lt=self.after_working_hours).exists():
            raise ValidationError({"after_working_hours": _("Cannot come after a higher level.")})


class EscalationState(models.Model):
    """Where a red task stands in its chain, and when its next level is due. Created by the
    escalation sweep when it first sees the task red; ``next_at`` is null once nothing more can
    happen (the chain is exhausted, or the task was completed or cancelled)."""

    work_item = models.OneToOneField(
        "worklists.WorkItem",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="escalation_state",
        verbose_name=_("task"),
    )
    due_at = models.DateTimeField(_("task due at"), help_text=_("the task's due time the schedule was counted from"))
    level = models.PositiveSmallIntegerField(
        _("level"), default=0, help_text=_("the highest level reached (0: none yet)")
    )
    next_level = models.PositiveSmallIntegerField(_("next level"), null=True, blank=True)
    next_at = models.DateTimeField(_("next level due at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("escalation state")
        verbose_name_plural = _("escalation states")
        indexes = [
            # Serves the escalation sweep: "states whose next level is due (next_at <= now)".
            models.Index(fields=["next_at"], name="escalation_next_due", condition=Q(next_at__isnull=False)),
        ]

    def __str__(self):
        return gettext("task %(task)s: level %(level)s, next %(next)s at %(at)s") % {
            "task": self.work_item_id,
            "level": self.level,
            "next": self.next_level if self.next_level is not None else "—",
            "at": f"{self.next_at:%Y-%m-%d %H:%M}" if self.next_at else "—",
        }


class Escalation(models.Model):
    """A level a late task reached: written once per (task, level) by the escalation sweep."""

    work_item = models.ForeignKey(
        "worklists.WorkItem", on_delete=models.CASCADE, related_name="escalations", verbose_name=_("task")
    )
    case = models.ForeignKey(
        "engine.Case", on_delete=models.CASCADE, related_name="escalations", verbose_name=_("case")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    step = models.ForeignKey(
        EscalationStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalation step"),
    )
    who = models.CharField(_("who is notified"), max_length=16, choices=EscalationStep.Who.choices)
    reached_at = models.DateTimeField(_("reached at"))
    due_at = models.DateTimeField(_("task due at"))
    overdue_working_hours = models.FloatField(_("working hours overdue"))
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="escalations_received", verbose_name=_("notified")
    )

    class Meta:
        ordering = ["-reached_at", "-level"]
        verbose_name = _("escalation record")
        verbose_name_plural = _("escalation records")
        constraints = [
            # Two sweeps at once (two beat ticks, two workers): each level is reached once.
            models.UniqueConstraint(fields=["work_item", "level"], name="escalation_once_per_level"),
        ]

    def __str__(self):
        return gettext("case %(case)s, task %(task)s: level %(level)s at %(at)s") % {
            "case": self.case_id,
            "task": self.work_item_id,
            "level": self.level,
            "at": f"{self.reached_at:%Y-%m-%d %H:%M}",
        }
