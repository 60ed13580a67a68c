"""Licence kinds become configuration (LicenceKind rows) instead of a list in the code. The three
kinds the code knew are kept, each with the department that answered for it."""

from django.db import migrations, models


KINDS = [
    ("business_licence", "营业执照", "business licence", "market"),
    ("company_seal", "印章备案证明", "company seal record", "police"),
    ("invoice_eligibility", "发票领用通知", "invoice eligibility", "tax"),
]


def known_kinds(apps, schema_editor):
    LicenceKind = apps.get_model("licences", "LicenceKind")
    for code, name, name_en, department in KINDS:
        LicenceKind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "department": department})


class Migration(migrations.Migration):

    dependencies = [
        ('licences', '0002_flags_and_credit_records'),
    ]

    operations = [
        migrations.CreateModel(
            name='LicenceKind',
            fields=[
                ('code', models.SlugField(help_text='e.g. food_business_permit', max_length=32, primary_key=True, serialize=False, verbose_name='代码 code')),
                ('name', models.CharField(help_text='e.g. 食品经营许可证', max_length=100, verbose_name='名称 name')),
                ('name_en', models.CharField(blank=True, max_length=100, verbose_name='English name')),
                ('department', models.CharField(blank=True, help_text='e.g. market', max_length=64, verbose_name='发证部门 department')),
            ],
            options={
                'verbose_name': '证照类型 licence kind',
                'verbose_name_plural': '证照类型 licence kinds',
                'ordering': ['code'],
            },
        ),
        migrations.AlterField(
            model_name='licence',
            name='kind',
            field=models.CharField(max_length=32),
        ),
        migrations.RunPython(known_kinds, migrations.RunPython.noop),
    ]
