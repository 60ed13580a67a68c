"""The official calendar in rows, so that an administrator can add next year's State Council notice
in the admin. ``workdays.calendar_store`` turns these rows into a ``WorkCalendar``.

The tables keep the names they were created with (``sla_calendaryear``, ``sla_calendarday``):
the calendar was part of the sla app before it became an app of its own.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

SOURCE_ADMIN = "admin"


class CalendarYear(models.Model):
    """One year of the calendar. ``announced`` means its holiday notice is entered in full: the
    days of an unannounced year (or of a year with no row) follow the provisional rule."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    announced = models.BooleanField(
        _("announced"),
        default=True,
        help_text=_("The State Council notice for this year is entered in full."),
    )
    source = models.CharField(
        _("source"),
        max_length=60,
        default=SOURCE_ADMIN,
        help_text=_("“chinesecalendar 1.11.0” when imported from the package, “admin” when entered by hand."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("e.g. the notice's document number"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "sla_calendaryear"
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        state = gettext("announced") if self.announced else gettext("provisional rule")
        return f"{self.year} ({state}, {self.source})"

    @property
    def from_package(self) -> bool:
        return self.source.startswith("chinesecalendar")


class CalendarDay(models.Model):
    """A date that differs from the plain weekday rule, or that carries a holiday's name:
    a holiday (also a weekend day inside a holiday period) or an adjusted working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", pgettext_lazy("calendar day", "holiday")
        WORKDAY = "workday", _("adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(
        _("holiday name"),
        max_length=100,
        blank=True,
        help_text=_("In Chinese, then in English after a space, e.g. 春节 Spring Festival"),  # data: an example
    )

    class Meta:
        db_table = "sla_calendarday"
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()

    def clean(self):
        if self.kind == self.Kind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": _("An adjusted working day must be a Saturday or Sunday.")})
