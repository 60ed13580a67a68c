"""Version against version: the serial and the parallel business registration, driven under the same
service-time distributions (drive --timed, same seed), and what the report, the command and the
page say about them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from PIL import Image

from demo.seed import ensure_demo_people
from processes.models import ProcessDefinition
from reports.figures import process_figures
from tests.browser import Browser, require_browser

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

CASES = "24"
PASSWORD = "reports-test-password"


@pytest.fixture(autouse=True)
def default_language():
    """The site's language around each test: a request in English leaves English active in the
    test's thread (LocaleMiddleware activates the reader's language and nothing resets it)."""
    translation.deactivate()
    yield
    translation.deactivate()


def drive(version: int, *extra: str) -> None:
    call_command(
        "drive", "--cases", CASES, "--version", str(version), "--seed", "7", "--no-progress", *extra, stdout=StringIO()
    )


@pytest.mark.slow
def test_the_parallel_version_concludes_sooner_and_the_report_says_by_how_much(reference, client, supervisor, tmp_path):
    for version in (1, 2):
        drive(version, "--timed", "--start", "2026-03-02", "--until", "2026-12-31")
    (v1, serial), (v2, parallel) = process_figures(ProcessDefinition.objects.get(key="business_registration"))
    assert (v1.number, v2.number) == (1, 2)
    assert serial["cases"] == parallel["cases"] == 24
    assert serial["concluded"] == parallel["concluded"] == 24
    # The same departments at the same speed: the per-task work is alike in both versions...
    work = [{row["code"]: row["work_hours_mean"] for row in f["departments"]} for f in (serial, parallel)]
    for code in ("police", "tax", "hrss", "housing_fund"):
        assert work[1][code] == pytest.approx(work[0][code], rel=0.35), code
    # ...but the departments review at the same time instead of one after another.
    assert parallel["cycle_working_days_median"] < 0.8 * serial["cycle_working_days_median"]
    assert parallel["cycle_calendar_hours_median"] < serial["cycle_calendar_hours_median"]
    assert parallel["case_on_time_share"] > serial["case_on_time_share"]
    speedup = 1 - parallel["cycle_working_days_median"] / serial["cycle_working_days_median"]
    expected = f"审批提速 {speedup * 100:.1f}%"

    out = StringIO()
    call_command(
        "report", "--process", "business_registration", "--compare", "1", "2", "--png", str(tmp_path), stdout=out
    )
    text = out.getvalue()
    # Management commands speak the site's language (settings.LANGUAGE_CODE): Chinese by default.
    assert f"v2 对比 v1：{expected}，" in text
    medians = [f"{serial['cycle_working_days_median']:.2f}", f"{parallel['cycle_working_days_median']:.2f}"]
    median_row = next(line for line in text.splitlines() if line.startswith("办理时长中位数 "))
    assert median_row.split()[-2:] == medians
    with translation.override("en"):
        out = StringIO()
        call_command("report", "--process", "business_registration", "--compare", "1", "2", stdout=out)
    english = out.getvalue()
    assert f"v2 against v1: faster approval {speedup * 100:.1f}%, fewer trips " in english
    assert next(line for line in english.splitlines() if line.startswith("Cycle time, median ")).split()[-2:] == medians
    for name in ("cycle_time", "departments", "lights", "trips"):
        path = tmp_path / f"{name}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.size == (800, 450)
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or range(99)) > 5  # drawn, not blank

    client.force_login(supervisor)
    page = client.get("/reports/business_registration/?compare=1,2")
    assert page.status_code == 200
    html = page.content.decode()
    assert expected in html and 'data-comparison="1,2"' in html
    assert 'id="report-data"' in html and "chart.umd.min.js" in html
    client.cookies["django_language"] = "en"
    html = client.get("/reports/business_registration/?compare=1,2").content.decode()
    assert f"faster approval {speedup * 100:.1f}%" in html and expected not in html


def test_the_command_names_what_is_missing(reference):
    with pytest.raises(CommandError, match="没有流程「nowhere」；现有流程：business_registration"):
        call_command("report", "--process", "nowhere")
    with pytest.raises(CommandError, match="尚无办件"):
        call_command("report", "--process", "business_registration")
    with translation.override("en"), pytest.raises(CommandError, match="has no cases yet"):
        call_command("report", "--process", "business_registration")
    call_command("drive", "--cases", "1", "--version", "2", "--no-progress", stdout=StringIO())
    with pytest.raises(CommandError, match="版本 1 没有办件；有办件的版本：2"):
        call_command("report", "--process", "business_registration", "--compare", "1", "2")


@pytest.fixture
def chromium():
    require_browser()


def test_the_report_page_draws_its_four_charts_in_chromium(chromium, live_server, reference):
    for version in (1, 2):
        call_command("drive", "--cases", "2", "--version", str(version), "--no-progress", stdout=StringIO())
    ensure_demo_people(password=PASSWORD)
    with Browser(live_server.url) as browser:
        browser.login("designer", PASSWORD)
        browser.open("/reports/business_registration/")
        page = browser.page
        page.wait_for_function("document.documentElement.dataset.reportCharts === 'drawn'")
        for key in ("cycle_time", "departments", "lights", "trips"):
            datasets = page.evaluate(f"Chart.getChart(document.getElementById('chart-{key}')).data.datasets.length")
            assert datasets >= 2, key
            box = page.locator(f"#chart-{key}").bounding_box()
            assert box["width"] > 300 and box["height"] > 150, key
        assert page.locator("[data-headline]").inner_text().startswith(("审批提速", "办理时长中位数增加"))
        browser.screenshot("reports_process", full_page=True)
        assert not browser.errors, browser.errors
