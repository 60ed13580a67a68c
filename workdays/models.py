"""The official calendar in rows, so that an administrator can add next year's State Council notice
in the admin. ``workdays.calendar_store`` turns these rows into a ``WorkCalendar``.

The tables keep the names they were created with (``sla_calendaryear``, ``sla_calendarday``):
the calendar was part of the sla app before it became an app of its own.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

SOURCE_ADMIN = "admin"


class CalendarYear(models.Model):
    """One year of the calendar. ``announced`` means its holiday notice is entered in full: the
    days of an unannounced year (or of a year with no row) follow the provisional rule."""

    year = models.PositiveSmallIntegerField("年份 year", unique=True)
    announced = models.BooleanField(
        "已公布 announced",
        default=True,
        help_text="国务院放假安排已全部录入 The State Council notice for this year is entered in full.",
    )
    source = models.CharField(
        "来源 source",
        max_length=60,
        default=SOURCE_ADMIN,
        help_text="“chinesecalendar 1.11.0” when imported from the package, “admin” when entered by hand.",
    )
    note = models.TextField("备注 note", blank=True, help_text="e.g. 国办发明电〔2025〕7号")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sla_calendaryear"
        ordering = ["-year"]
        verbose_name = "日历年份 calendar year"
        verbose_name_plural = "日历年份 calendar years"

    def __str__(self) -> str:
        state = "已公布" if self.announced else "临时规则"
        return f"{self.year} ({state}, {self.source})"

    @property
    def from_package(self) -> bool:
        return self.source.startswith("chinesecalendar")


class CalendarDay(models.Model):
    """A date that differs from the plain weekday rule, or that carries a holiday's name:
    a holiday (also a weekend day inside a holiday period) or an adjusted working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假 holiday"
        WORKDAY = "workday", "调休上班 adjusted working day"

    date = models.DateField("日期 date", unique=True)
    kind = models.CharField("类别 kind", max_length=10, choices=Kind.choices)
    name = models.CharField("节日 holiday", max_length=100, blank=True, help_text="e.g. 春节 Spring Festival")

    class Meta:
        db_table = "sla_calendarday"
        ordering = ["date"]
        verbose_name = "日历日 calendar day"
        verbose_name_plural = "日历日 calendar days"

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()

    def clean(self):
        if self.kind == self.Kind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": "调休上班日应为周六或周日 An adjusted working day must be a Saturday or Sunday."}
            )
