"""The working-day calendar's rows now belong to the workdays app (its 0001): the tables and their
data stay; sla only stops claiming them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0005_result_flagged_notices"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="CalendarDay"), migrations.DeleteModel(name="CalendarYear")],
        ),
    ]
