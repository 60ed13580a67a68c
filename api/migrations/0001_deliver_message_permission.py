"""The permission ``engine.deliver_message`` (see api.access), as a row an administrator can grant."""

from django.db import migrations

CODENAME = "deliver_message"
NAME = "Can deliver messages from other systems to cases"


def create_permission(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    case_type, _ = ContentType.objects.get_or_create(app_label="engine", model="case")
    Permission.objects.get_or_create(content_type=case_type, codename=CODENAME, defaults={"name": NAME})


def remove_permission(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="engine", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engine", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_permission, remove_permission)]
