"""A default KPI tree, modelled on the national evaluation of government services (政务服务
能力评估): timeliness (办理时效), convenience (跑动次数, 网办程度, 材料精简) and reengineering
(环节精简, 告知承诺). Administrators change it in the admin; nothing here is code."""

from django.db import migrations

# (name, name_en, weight, children); an indicator: (name, name_en, figure, direction, target, weight)
TREE = [
    ("办理时效", "Timeliness", 0.4, [
        ("审批时长", "Approval time", 1, [
            ("办结时长", "Time to result", 1, [
                ("办理时长中位数（工作日）", "Median cycle time (working days)", "cycle_working_days_median", "at_most", 1.0, 2),
                ("办理时长 P90（工作日）", "Cycle time, 90th percentile (working days)", "cycle_working_days_p90", "at_most", 3.0, 1),
            ]),
        ]),
        ("按时办结", "On time", 1, [
            ("承诺时限", "Promised limits", 1, [
                ("按时办结率", "Cases concluded on time", "case_on_time_share", "at_least", 0.9, 2),
                ("环节按时率", "Tasks done on time", "task_on_time_share", "at_least", 0.95, 1),
            ]),
        ]),
    ]),
    ("办事便利度", "Convenience", 0.4, [
        ("跑动次数", "Trips", 1, [
            ("最多跑一次", "At most one trip", 1, [
                ("最多跑一次占比", "Cases with at most one trip", "at_most_one_trip_share", "at_least", 0.9, 2),
                ("平均跑动次数", "Trips per case", "trips_per_case", "at_most", 1.0, 1),
            ]),
        ]),
        ("网办程度", "Online service", 1, [
            ("全程网办", "Fully online", 1, [
                ("全程网办占比", "Share of cases fully online", "fully_online_share", "at_least", 0.5, 1),
            ]),
        ]),
        ("材料精简", "Fewer materials", 1, [
            ("申请材料", "Materials", 1, [
                ("每件材料数", "Materials per case", "materials_per_case", "at_most", 5.0, 1),
                ("每件补正次数", "Corrections per case", "corrections_per_case", "at_most", 0.2, 1),
            ]),
        ]),
    ]),
    ("流程再造", "Reengineering", 0.2, [
        ("环节精简", "Fewer hand-offs", 1, [
            ("部门流转", "Hand-offs", 1, [
                ("每件部门流转次数", "Hand-offs per case", "handoffs_per_case", "at_most", 5.0, 1),
            ]),
        ]),
        ("告知承诺", "Notify-and-commit", 1, [
            ("告知承诺制", "Notify-and-commit", 1, [
                ("告知承诺占比", "Share of cases on commitment", "notify_commit_share", "at_least", 0.2, 1),
            ]),
        ]),
    ]),
]


def create_tree(apps, schema_editor):
    models = [apps.get_model("reports", name) for name in ("KpiDomain", "KpiCategory", "KpiGroup", "KpiIndicator")]
    Domain, Category, Group, Indicator = models
    for d, (name, name_en, weight, categories) in enumerate(TREE):
        domain = Domain.objects.create(name=name, name_en=name_en, weight=weight, position=d)
        for c, (name, name_en, weight, groups) in enumerate(categories):
            category = Category.objects.create(domain=domain, name=name, name_en=name_en, weight=weight, position=c)
            for g, (name, name_en, weight, indicators) in enumerate(groups):
                group = Group.objects.create(category=category, name=name, name_en=name_en, weight=weight, position=g)
                for i, (name, name_en, figure, direction, target, weight) in enumerate(indicators):
                    Indicator.objects.create(group=group, name=name, name_en=name_en, figure=figure, direction=direction,
                                             target=target, weight=weight, position=i)


def remove_tree(apps, schema_editor):
    apps.get_model("reports", "KpiDomain").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_kpi_tree")]

    operations = [migrations.RunPython(create_tree, remove_tree)]
