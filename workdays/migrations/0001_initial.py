"""The working-day calendar's rows move from the sla app to this one: the tables stay where they
are (``sla_calendaryear``, ``sla_calendarday``, with their data); only Django's record of which
app owns them changes, here and in sla's 0006."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sla", "0005_result_flagged_notices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="日期 date")),
                        ("kind", models.CharField(choices=[("holiday", "放假 holiday"), ("workday", "调休上班 adjusted working day")],
                                                  max_length=10, verbose_name="类别 kind")),
                        ("name", models.CharField(blank=True, help_text="e.g. 春节 Spring Festival", max_length=100, verbose_name="节日 holiday")),
                    ],
                    options={
                        "verbose_name": "日历日 calendar day",
                        "verbose_name_plural": "日历日 calendar days",
                        "ordering": ["date"],
                        "db_table": "sla_calendarday",
                    },
                ),
                migrations.CreateModel(
                    name="CalendarYear",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="年份 year")),
                        ("announced", models.BooleanField(default=True, help_text="国务院放假安排已全部录入 The State Council notice for this year is entered in full.",
                                                          verbose_name="已公布 announced")),
                        ("source", models.CharField(default="admin", help_text="“chinesecalendar 1.11.0” when imported from the package, “admin” when entered by hand.",
                                                    max_length=60, verbose_name="来源 source")),
                        ("note", models.TextField(blank=True, help_text="e.g. 国办发明电〔2025〕7号", verbose_name="备注 note")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "日历年份 calendar year",
                        "verbose_name_plural": "日历年份 calendar years",
                        "ordering": ["-year"],
                        "db_table": "sla_calendaryear",
                    },
                ),
            ],
        ),
    ]
