"""The WorkCalendar of this installation: built from the CalendarYear / CalendarDay tables,
cached in the process, and reloaded when a row changes.

Invalidation: saving or deleting a row clears this process's copy at once and again when the
transaction commits (a thread may have read the old rows in between). Other processes (more web
workers, Celery) cannot hear the signal: they reload when their copy is older than
``settings.SLA_CALENDAR_CACHE_SECONDS`` (default 300). A notice for next year is entered weeks
before it matters, so a few minutes of lag is harmless.

With no rows at all (a database migrated without the data migration, or flushed) the calendar is
built from the ``chinesecalendar`` package directly.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.translation import gettext

from . import official
from .calendar import WorkCalendar
from .models import CalendarDay, CalendarYear

DEFAULT_CACHE_SECONDS = 300

_lock = threading.Lock()
_cached: tuple[WorkCalendar, float] | None = None  # (calendar, time.monotonic() when loaded)
_generation = 0  # bumped by every invalidation; a load that raced one is not kept


def get_calendar() -> WorkCalendar:
    global _cached
    max_age = getattr(settings, "SLA_CALENDAR_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)
    cached = _cached
    if cached is not None and time.monotonic() - cached[1] < max_age:
        return cached[0]
    generation = _generation
    calendar = build_from_tables() or official.package_calendar(zone=settings.TIME_ZONE)
    with _lock:
        # Rows changed while we read them: use what we read this once, but do not keep it.
        if generation == _generation:
            _cached = (calendar, time.monotonic())
    return calendar


def invalidate(**_signal_kwargs) -> None:
    global _cached, _generation
    with _lock:
        _generation += 1
        _cached = None


def build_from_tables() -> WorkCalendar | None:
    """The calendar the rows describe, or None when both tables are empty."""
    years = list(CalendarYear.objects.values_list("year", "announced"))
    days = list(CalendarDay.objects.values_list("date", "kind", "name"))
    if not years and not days:
        return None
    return WorkCalendar(
        announced_years=[year for year, announced in years if announced],
        holidays={day: name for day, kind, name in days if kind == CalendarDay.Kind.HOLIDAY},
        workdays={day: name for day, kind, name in days if kind == CalendarDay.Kind.WORKDAY},
        zone=settings.TIME_ZONE,
    )


def _invalidate_now_and_on_commit(**_signal_kwargs) -> None:
    invalidate()
    transaction.on_commit(invalidate)


def connect_signals() -> None:
    for model in (CalendarYear, CalendarDay):
        post_save.connect(
            _invalidate_now_and_on_commit, sender=model, dispatch_uid=f"sla-calendar-{model.__name__}-save"
        )
        post_delete.connect(
            _invalidate_now_and_on_commit, sender=model, dispatch_uid=f"sla-calendar-{model.__name__}-delete"
        )


# Import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearImport:
    year: int
    outcome: str  # "added" | "updated" | "unchanged" | "kept" (entered by an administrator, left alone)
    differs: bool = False  # for "kept": the administrator's days differ from the package's


def do_import_package_years(*, replace_admin: bool = False) -> list[YearImport]:
    """Write every year of the installed ``chinesecalendar`` into the tables, announced.

    A year an administrator entered by hand (source "admin") is kept unless ``replace_admin``:
    the package may lag behind a notice the administrator already typed in, or the
    administrator may have corrected it.
    """
    source, results = official.package_source(), []
    with translation.override(settings.LANGUAGE_CODE):  # a note in the rows: the site's language
        note = gettext("imported from %(source)s") % {"source": source}
    with transaction.atomic():
        rows = {row.year: row for row in CalendarYear.objects.select_for_update()}
        for year in official.package_years():
            wanted = {(d.date, d.kind, d.name) for d in official.package_days(year)}
            in_year = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
            have = set(in_year.values_list("date", "kind", "name"))
            row = rows.get(year)
            if row is not None and not row.from_package and not replace_admin:
                results.append(YearImport(year, "kept", differs=have != wanted))
                continue
            if row is not None and have == wanted and row.source == source and row.announced:
                results.append(YearImport(year, "unchanged"))
                continue
            in_year.delete()
            CalendarDay.objects.bulk_create(CalendarDay(date=d, kind=k, name=n) for d, k, n in sorted(wanted))
            CalendarYear.objects.update_or_create(
                year=year, defaults={"announced": True, "source": source, "note": note}
            )
            results.append(YearImport(year, "added" if row is None else "updated"))
        # bulk_create sends no signal: clear the cached calendar here.
        transaction.on_commit(invalidate)
    invalidate()
    return results
