"""The working-day calendar in the admin: a year's State Council notice, day by day."""

import datetime as dt

from django.contrib import admin
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "announced", "source", "holiday_count", "workday_count", "note", "updated_at"]
    list_filter = ["announced"]
    readonly_fields = ["updated_at"]
    fields = ["year", "announced", "source", "note", "updated_at"]

    def _days(self, obj):
        return CalendarDay.objects.filter(date__gte=dt.date(obj.year, 1, 1), date__lte=dt.date(obj.year, 12, 31))

    @admin.display(description=_("holidays"))
    def holiday_count(self, obj):
        return self._days(obj).filter(kind=CalendarDay.Kind.HOLIDAY).count()

    @admin.display(description=_("adjusted working days"))
    def workday_count(self, obj):
        return self._days(obj).filter(kind=CalendarDay.Kind.WORKDAY).count()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return WEEKDAYS_ABBR[obj.date.weekday()]
