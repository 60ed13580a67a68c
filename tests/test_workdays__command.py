"""manage.py workdays: add, between, check, import."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from workdays import calendar_store
from workdays.models import CalendarDay, CalendarYear
from workdays.official import package_source, package_years

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = [pytest.mark.django_db, pytest.mark.dates]
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar_store.invalidate()
    yield
    calendar_store.invalidate()


def workdays(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_add_five_working_days_from_30_september_2026_prints_13_october():
    assert workdays("add", "2026-09-30", "5") == ("2026-10-13", "")


def test_add_into_2027_prints_the_date_and_a_provisional_note():
    out, err = workdays("add", "2026-12-24", "10")
    assert out == "2027-01-08"
    assert "2027" in err and "临时规则" in err and "provisional" not in err  # the site's language: 简体中文


def test_between_prints_the_count():
    assert workdays("between", "2026-09-30", "2026-10-13") == ("5", "")


def test_check_names_an_adjusted_working_day_and_a_holiday():
    assert workdays("check", "2026-10-10") == ("2026-10-10 星期六：调休上班（国庆节）", "")
    assert workdays("check", "2026-02-17") == ("2026-02-17 星期二：放假（春节）", "")
    out, err = workdays("check", "2027-10-01")
    assert out == "2027-10-01 星期五：放假（国庆节）" and "临时规则" in err


def test_the_output_is_in_the_language_asked_for():
    english = ("--language", "en")
    assert workdays(*english, "check", "2026-10-10") == ("2026-10-10 Sat: adjusted working day (National Day)", "")
    assert workdays(*english, "check", "2026-10-07") == ("2026-10-07 Wed: holiday (National Day)", "")
    out, err = workdays(*english, "add", "2026-12-24", "10")
    assert out == "2027-01-08" and err.startswith("Note: the holiday notice for 2027 is not in the calendar")
    assert not CJK.search(err)
    with pytest.raises(CommandError, match="cannot be negative: -1"):
        workdays(*english, "add", "2026-12-24", "-1")
    with translation.override("en"):  # whatever the caller has active: the site's language
        assert workdays("check", "2026-10-10")[0] == "2026-10-10 星期六：调休上班（国庆节）"


def test_import_restores_the_package_years():
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    out, _ = workdays("import")
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(package_years())
    assert CalendarYear.objects.get(year=2026).source == package_source()
    assert "2026：已导入" in out
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).name == "国庆节 National Day"
    out, _ = workdays("import")
    assert f"{len(package_years())} 年未变" in out
    out, _ = workdays("--language", "en", "import")
    assert f"{len(package_years())} years, {len(package_years())} unchanged" in out and not CJK.search(out)


def test_import_keeps_a_year_an_administrator_edited_unless_told_to_replace_it():
    CalendarYear.objects.filter(year=2026).update(source="admin")
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).delete()
    calendar_store.invalidate()
    out, _ = workdays("import")
    assert "2026：保留管理员录入，与软件包不同" in out
    assert workdays("add", "2026-09-30", "5")[0] == "2026-10-14"  # without Sat 10 Oct
    workdays("import", "--replace-admin")
    assert workdays("add", "2026-09-30", "5")[0] == "2026-10-13"
