"""The KPI tree is data: the default tree comes with the migrations, and what an administrator
changes in the admin (a target, a new indicator) changes the page, with no code."""

import re
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from reports import kpi
from reports.models import KpiCategory, KpiDomain, KpiGroup, KpiIndicator

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates


@pytest.fixture
def default_tree(db):
    """The tree as the data migration makes it (a test with a live server before this one flushed it)."""
    KpiDomain.objects.all().delete()
    import_module("reports.migrations.0002_default_kpi_tree").create_tree(apps, None)


@pytest.fixture
def driven(reference, default_tree):
    call_command("drive", "--cases", "3", "--version", "2", "--seed", "2", "--no-progress", stdout=StringIO())


def indicator_row(html: str, indicator: KpiIndicator) -> str:
    match = re.search(rf'<tr class="indicator" data-indicator="{indicator.pk}" data-met="(\w+)">(.*?)</tr>', html, re.S)
    assert match, f"indicator {indicator} is not on the page"
    return match.group(1), match.group(2)


def test_the_default_tree_has_the_evaluation_domains_and_names_only_known_figures(default_tree):
    assert list(KpiDomain.objects.values_list("name", flat=True)) == ["办理时效", "办事便利度", "流程再造"]
    figures = set(KpiIndicator.objects.values_list("figure", flat=True))
    assert {
        "cycle_working_days_median",
        "at_most_one_trip_share",
        "fully_online_share",
        "notify_commit_share",
    } <= figures
    from reports.registry import FIGURES

    assert figures <= set(FIGURES)


def test_scores_roll_up_by_weight_and_indicators_without_data_do_not_count(db):
    KpiDomain.objects.all().delete()
    domain = KpiDomain.objects.create(name="域", weight=1)
    group = KpiGroup.objects.create(category=KpiCategory.objects.create(domain=domain, name="类"), name="组")
    fast = KpiIndicator.objects.create(
        group=group, name="快", figure="cycle_working_days_median", direction="at_most", target=2, weight=3
    )
    online = KpiIndicator.objects.create(
        group=group, name="网", figure="fully_online_share", direction="at_least", target=0.5, weight=1
    )
    KpiIndicator.objects.create(
        group=group, name="无", figure="case_on_time_share", direction="at_least", target=0.9, weight=5
    )
    root = kpi.evaluate({"cycle_working_days_median": 1.5, "fully_online_share": 0.2, "case_on_time_share": None})
    results = {r.node.pk: r for r in root.children[0].children[0].children[0].children}
    assert results[fast.pk].met is True and results[online.pk].met is False
    assert root.score == pytest.approx(3 / 4)  # met weight 3 of the 4 with data; no data is left out
    assert kpi.counts(root) == {"met": 1, "missed": 1, "no_data": 1}


def test_an_administrator_changes_a_target_and_adds_an_indicator_and_the_page_follows(
    driven, client, supervisor, django_user_model
):
    materials = KpiIndicator.objects.get(figure="materials_per_case")
    admin = django_user_model.objects.get(username="admin")
    client.force_login(admin)

    def edit(indicator, **changes):
        fields = {
            "group": indicator.group_id,
            "name": indicator.name,
            "name_en": indicator.name_en,
            "weight": indicator.weight,
            "position": indicator.position,
            "figure": indicator.figure,
            "direction": indicator.direction,
            "target": indicator.target,
            "description": "",
            **changes,
        }
        response = client.post(f"/admin/reports/kpiindicator/{indicator.pk}/change/", fields)
        assert response.status_code == 302, response.content.decode()[:2000]

    edit(materials, target=100)
    client.force_login(supervisor)
    met, row = indicator_row(client.get("/reports/kpi/").content.decode(), materials)
    assert met == "met" and "≤ 100.00" in row

    client.force_login(admin)
    edit(materials, target=1)
    response = client.post(
        "/admin/reports/kpiindicator/add/",
        {
            "group": materials.group_id,
            "name": "平均办理时长（自然时）",
            "name_en": "Mean... calendar cycle time",
            "weight": 1,
            "position": 9,
            "figure": "cycle_calendar_hours_median",
            "direction": "at_most",
            "target": 10000,
            "description": "",
        },
    )
    assert response.status_code == 302
    added = KpiIndicator.objects.get(figure="cycle_calendar_hours_median")

    client.force_login(supervisor)
    html = client.get("/reports/kpi/?process=business_registration&version=2").content.decode()
    assert indicator_row(html, materials)[0] == "missed"
    met, row = indicator_row(html, added)
    assert met == "met" and "平均办理时长（自然时）" in row and "≤ 10000.00" in row
