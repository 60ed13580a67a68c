"""Load every year of the installed ``chinesecalendar`` package, so that a fresh ``migrate`` has the
official calendar. Self-contained on purpose (historical models, the package read directly):
``manage.py workdays import`` is the maintained way to re-import later."""

from django.db import migrations


def load_package_years(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    source = f"chinesecalendar {chinese_calendar.__version__}"

    def name(english):
        try:
            return f"{chinese_calendar.Holiday(english).chinese} {english}"
        except ValueError:
            return english

    days = [(d, "holiday", n) for d, n in chinese_calendar.holidays.items()]
    days += [(d, "workday", n) for d, n in chinese_calendar.workdays.items()]
    taken = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d, kind=kind, name=name(n)) for d, kind, n in sorted(days) if d not in taken
    )
    first, last = min(d for d, _, _ in days).year, max(d for d, _, _ in days).year
    for year in range(first, last + 1):
        CalendarYear.objects.get_or_create(
            year=year, defaults={"announced": True, "source": source, "note": f"imported from {source}"}
        )


def unload_package_years(apps, schema_editor):
    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    years = list(CalendarYear.objects.filter(source__startswith="chinesecalendar").values_list("year", flat=True))
    for year in years:
        CalendarDay.objects.filter(date__year=year).delete()
    CalendarYear.objects.filter(year__in=years).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(load_package_years, unload_package_years)]
