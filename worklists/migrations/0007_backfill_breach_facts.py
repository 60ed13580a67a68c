"""Lateness recorded on the rows for tasks and cases that closed before it was (workdays.lateness).

Until now a breach was only written by the light sweep, so a task completed late before a sweep
saw it left no trace but its times. This writes the facts from the times: how late each task
closed, the first due moment each case missed (a case_overdue event, or its conclusion after its
due moment), and how each ended case ended (processes.results). Working hours are counted on the
calendar of the chinesecalendar package: the rows of an administrator's edits may not exist yet
in a migration, and the two differ only where a notice was entered by hand.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations

BATCH = 2000


def _calendar():
    from workdays.official import package_calendar

    return package_calendar(zone=settings.TIME_ZONE)


def _hours(calendar, due_at, moment) -> float:
    return round(max(calendar.working_hours_between(due_at, moment), 0.0), 2)


def backfill(apps, schema_editor):
    from django.db.models import F

    from processes.results import Result, result_of

    WorkItem = apps.get_model("worklists", "WorkItem")
    Case = apps.get_model("engine", "Case")
    Event = apps.get_model("engine", "Event")
    calendar = None
    late = WorkItem.objects.filter(due_at__isnull=False, completed_at__gt=F("due_at"), late_working_hours__isnull=True)
    for item in late.exclude(state="open").only("id", "due_at", "completed_at").iterator(chunk_size=BATCH):
        calendar = calendar or _calendar()
        WorkItem.objects.filter(pk=item.pk).update(late_working_hours=_hours(calendar, item.due_at, item.completed_at))
    overdue = {}
    for case_id, data in Event.objects.filter(kind="case_overdue").order_by("id").values_list("case_id", "data"):
        try:
            overdue.setdefault(case_id, dt.datetime.fromisoformat((data or {}).get("due_at")))
        except (TypeError, ValueError):
            continue
    cases = Case.objects.filter(breached_at__isnull=True).select_related("version")
    for case in cases.only("id", "due_at", "concluded_at", "ended_at", "status", "end_activity", "result",
                           "version__elements").iterator(chunk_size=BATCH):
        changed = {}
        if case.id in overdue:
            changed["breached_at"] = overdue[case.id]
        elif case.due_at and case.concluded_at and case.concluded_at > case.due_at:
            changed["breached_at"] = case.due_at
        if changed.get("breached_at") and case.due_at and case.concluded_at and case.concluded_at > case.due_at:
            calendar = calendar or _calendar()
            changed["late_working_hours"] = _hours(calendar, case.due_at, case.concluded_at)
        if not case.result and (case.concluded_at or case.status == "completed"):
            issued = apps.get_model("licences", "Licence").objects.filter(case_id=case.id).exists()
            changed["result"] = Result.GRANTED if issued else result_of(case.version.elements or {}, case.end_activity)
        if changed:
            Case.objects.filter(pk=case.id).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("worklists", "0006_breach_facts"),
        ("engine", "0011_breach_facts"),
        ("licences", "0002_flags_and_credit_records"),
        ("sla", "0005_result_flagged_notices"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
