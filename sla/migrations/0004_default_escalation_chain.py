"""The default escalation chain (督办链) for every department without its own: the department head
when a task runs over, the supervisors one working day (7 office hours) later. Self-contained on
purpose (historical models, the data written out); administrators change it in the admin."""

from django.db import migrations

DEFAULT_CHAIN = [(1, "department_head", 0.0), (2, "supervisors", 7.0)]


def create_default_chain(apps, schema_editor):
    EscalationStep = apps.get_model("sla", "EscalationStep")
    for level, who, hours in DEFAULT_CHAIN:
        EscalationStep.objects.get_or_create(
            department=None, level=level, defaults={"who": who, "after_working_hours": hours}
        )


def remove_default_chain(apps, schema_editor):
    EscalationStep = apps.get_model("sla", "EscalationStep")
    for level, who, hours in DEFAULT_CHAIN:
        EscalationStep.objects.filter(department=None, level=level, who=who, after_working_hours=hours).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_escalation_and_notifications")]

    operations = [migrations.RunPython(create_default_chain, remove_default_chain)]
