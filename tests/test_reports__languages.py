"""The reports in one language at a time: the pages, the charts' data and the PNG charts, the
comparison, the KPI tree's labels and the errors, in Chinese by default and in English when the
reader picks it (names a designer wrote in both languages shown in the reader's)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from reports import png, views
from reports.charts import chart_data
from reports.figures import process_figures
from reports.models import KpiIndicator
from simulation.models import SimulationRun

from .test_i18n__pages import CJK, chinese_in, english_in, visible

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

PAGES = ["/reports/", "/reports/business_registration/", "/reports/kpi/", "/reports/kpi/?process=business_registration"]


@pytest.fixture(autouse=True)
def default_language():
    """The site's language around each test: a request in English leaves English active in the
    test's thread (LocaleMiddleware activates the reader's language and nothing resets it)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def driven(reference):
    """Two cases on each version, and a simulation of version 2 learned from version 1's log."""
    for version in (1, 2):
        call_command("drive", "--cases", "2", "--version", str(version), "--no-progress", stdout=StringIO())
    SimulationRun.objects.create(
        version=reference["parallel"],
        cases=100,
        learned_from="business_registration v1 的事件日志（2 件）",
        params={"sources": [{"event_log": ["business_registration v1"], "cases": 2}]},
        prediction={"cycle_working_days_median": 1.5, "case_on_time_share": 0.9},
    )
    return reference


def read(client, user, path: str, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def headline(html: str) -> str:
    return re.search(r"data-headline>([^<]*)<", html)[1].strip()


def test_the_reports_in_english_carry_no_chinese(client, supervisor, driven):
    for path in PAGES:
        assert chinese_in(visible(read(client, supervisor, path, "en"))) == set(), path


def test_the_reports_in_chinese_carry_no_english_sentence(client, supervisor, driven):
    for path in PAGES:
        assert english_in(visible(read(client, supervisor, path, "zh-hans"))) == set(), path


def test_the_report_page_words_its_figures_charts_and_prediction_in_the_reader_s_language(client, supervisor, driven):
    chinese = read(client, supervisor, "/reports/business_registration/", "zh-hans")
    # Whether v2 came out faster depends on the hour the cases were driven at; either way the
    # headline is worded in the reader's language.
    assert headline(chinese).startswith(("审批提速", "办理时长中位数增加")), headline(chinese)
    for words in (
        "办理时长中位数",
        "次/件",
        "办理时长（工作日）",
        "市场监管",
        "企业开办",
        "事件日志（2 件）",
    ):
        assert words in chinese, words
    english = read(client, supervisor, "/reports/business_registration/", "en")
    assert headline(english).startswith(("faster approval", "median cycle time up")), headline(english)
    for words in (
        "Cycle time, median",
        "per case",
        "Cycle time (working days)",
        "Business registration",
        "Market regulation",
        "the event log of business_registration v1 (2 cases)",
    ):
        assert words in english, words
    # The charts' data (json_script), which Chart.js draws as it is.
    data = json.loads(re.search(r'<script id="report-data" type="application/json">(.*?)</script>', english, re.S)[1])
    assert not CJK.search(json.dumps(data, ensure_ascii=False)), data
    assert data["lights"]["labels"] == ["on time", "close", "late"]
    assert data["departments"]["wait_labels"] == ["v1 waiting", "v2 waiting"]
    data = json.loads(re.search(r'<script id="report-data" type="application/json">(.*?)</script>', chinese, re.S)[1])
    assert data["lights"]["labels"] == ["绿灯", "黄灯", "红灯"] and data["trips"]["labels"][-1] == "3+ 次"


def test_the_charts_data_follows_the_active_language(driven):
    rows = process_figures(driven["serial"].definition)
    data = chart_data(rows)
    assert data["titles"]["cycle_time"] == "办理时长（工作日）"
    assert data["departments"]["names"][-1] == "申请人补正" or "applicant" not in data["departments"]["codes"]
    with translation.override("en"):
        data = chart_data(rows)
    assert data["titles"]["cycle_time"] == "Cycle time (working days)"
    assert data["cycle_time"]["labels"] == {"median": "median", "p90": "P90", "axis": "working days"}
    assert not [name for name in data["departments"]["names"] if CJK.search(name)]


def test_the_png_charts_are_labelled_in_english_where_no_cjk_font_is_installed(monkeypatch):
    with translation.override("zh-hans"):
        monkeypatch.setattr(png, "cjk_font", lambda: None)
        assert png.charts_language() == "en"
        monkeypatch.setattr(png, "cjk_font", lambda: "/usr/share/fonts/some-cjk.ttc")
        assert png.charts_language() == "zh-hans"
    with translation.override("en"):
        assert png.charts_language() == "en"


def test_the_kpi_tree_s_labels_and_choices_are_translated(db):
    field = KpiIndicator._meta.get_field("direction")
    assert str(KpiIndicator._meta.verbose_name) == "测评指标"
    assert dict(field.choices)["at_most"] == "不高于"
    assert dict(KpiIndicator._meta.get_field("figure").choices)["trips_per_case"] == "跑动次数"
    with translation.override("en"):
        assert str(KpiIndicator._meta.verbose_name_plural) == "KPI indicators"
        assert dict(field.choices)["at_least"] == "at least"
        assert dict(KpiIndicator._meta.get_field("figure").choices)["trips_per_case"] == "In-person trips"
    indicator = KpiIndicator.objects.select_related("group").first()
    assert str(indicator) == indicator.name
    with translation.override("en"):
        assert str(indicator) == indicator.name_en


def test_a_missing_process_or_version_is_named_in_the_reader_s_language(driven, supervisor):
    request = RequestFactory().get("/reports/kpi/", {"process": "business_registration", "version": "9"})
    request.user = supervisor
    with pytest.raises(Http404, match="流程 business_registration 没有版本 9。"):
        views.kpi_tree(request)
    request = RequestFactory().get("/reports/business_registration/", {"compare": "1,7"})
    request.user = supervisor
    with (
        translation.override("en"),
        pytest.raises(Http404, match=r"No such versions to compare: 1,7 \(versions with cases: v1, v2\)\."),
    ):
        views.process_report(request, "business_registration")
    with pytest.raises(Http404, match="有办件的版本：v1、v2"):
        views.process_report(request, "business_registration")
    with translation.override("en"), pytest.raises(Http404, match="There is no process nowhere."):
        views.process_report(request, "nowhere")
