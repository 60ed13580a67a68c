"""The legal working-day calendar on China's official days (chinesecalendar 1.11: 2004–2026).

Every expected date below is what a clerk gets counting by hand on the State Council notice.
2027 is the first year the package does not cover: counts into it are provisional and say so.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from workdays import calendar_store
from workdays.calendar import DayKind, WorkCalendar
from workdays.deadlines import due, due_at
from workdays.models import CalendarDay, CalendarYear
from workdays.official import package_calendar, package_years

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_UNANNOUNCED = 2027
D = dt.date


@pytest.fixture(scope="module")
def official() -> WorkCalendar:
    return package_calendar()


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Rows written in a test vanish with its rolled-back transaction, without any signal."""
    calendar_store.invalidate()
    yield
    calendar_store.invalidate()


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_package_covers_2004_to_2026_and_not_2027():
    assert package_years() == range(2004, FIRST_UNANNOUNCED)


# Spring Festival --------------------------------------------------------------------------------


def test_spring_festival_2025_is_off_and_its_adjusted_sunday_and_saturday_are_working(official):
    # 2025: off Tue 28 Jan – Tue 4 Feb; work Sun 26 Jan and Sat 8 Feb.
    week = {day: official.is_working_day(D(2025, 1, day)) for day in range(25, 32)}  # Sat 25 … Fri 31
    assert week == {25: False, 26: True, 27: True, 28: False, 29: False, 30: False, 31: False}
    assert not official.is_working_day(D(2025, 2, 4))
    assert official.is_working_day(D(2025, 2, 5))
    assert official.is_working_day(D(2025, 2, 8))
    assert official.describe(D(2025, 1, 26)).kind == DayKind.ADJUSTED_WORKDAY


def test_three_day_limit_opened_friday_before_spring_festival_2025_ends_the_wednesday_after(official):
    # Fri 24 Jan: Sun 26 (1), Mon 27 (2), holiday 28 Jan – 4 Feb, Wed 5 Feb (3).
    assert official.add_working_days(D(2025, 1, 24), 3) == D(2025, 2, 5)


def test_spring_festival_2026_holiday_runs_nine_days_between_two_working_saturdays(official):
    holiday = [D(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)]  # Sun 15 – Mon 23 Feb
    assert not any(official.is_working_day(day) for day in holiday)
    assert {official.describe(day).name for day in holiday} == {"春节 Spring Festival"}
    assert official.is_working_day(D(2026, 2, 14))  # Sat, 调休上班
    assert official.is_working_day(D(2026, 2, 28))  # Sat, 调休上班


def test_five_day_limit_across_spring_festival_2026_ends_thursday_26_february(official):
    # Thu 12 Feb: Fri 13 (1), Sat 14 (2, 调休), holiday 15–23, Tue 24 (3), Wed 25 (4), Thu 26 (5).
    # Monday to Friday alone would have said Thu 19 Feb, in the middle of the holiday.
    assert official.add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)


def test_twenty_day_limit_across_spring_festival_2026_counts_both_working_saturdays(official):
    # … Thu 26 (5), Fri 27 (6), Sat 28 (7, 调休), then 2–6 Mar (8–12), 9–13 Mar (13–17), 16–18 Mar (18–20).
    assert official.add_working_days(D(2026, 2, 12), 20) == D(2026, 3, 18)
    assert official.working_days_between(D(2026, 2, 12), D(2026, 3, 18)) == 20


def test_working_days_between_counts_after_start_up_to_and_including_end(official):
    assert official.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # Sat 14, Tue 24
    assert official.working_days_between(D(2026, 2, 24), D(2026, 2, 24)) == 0
    assert official.working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert official.add_working_days(D(2026, 2, 24), 0) == D(2026, 2, 24)


# National Day -----------------------------------------------------------------------------------


def test_national_day_2025_with_mid_autumn_is_eight_days_off_between_two_working_weekend_days(official):
    assert not any(official.is_working_day(D(2025, 10, day)) for day in range(1, 9))
    assert official.describe(D(2025, 10, 6)).name == "中秋 Mid-autumn Festival"
    assert official.is_working_day(D(2025, 9, 28))  # Sun, 调休上班
    assert official.is_working_day(D(2025, 10, 11))  # Sat, 调休上班


def test_five_day_limit_opened_friday_26_september_2025_ends_friday_10_october(official):
    # Sun 28 Sep (1, 调休), Mon 29 (2), Tue 30 (3), holiday 1–8 Oct, Thu 9 (4), Fri 10 (5).
    assert official.add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)


def test_five_day_limit_opened_30_september_2026_ends_tuesday_13_october(official):
    # Holiday 1–7 Oct, Thu 8 (1), Fri 9 (2), Sat 10 (3, 调休), Mon 12 (4), Tue 13 (5).
    assert official.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert official.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert official.describe(D(2026, 10, 10)).kind == DayKind.ADJUSTED_WORKDAY


def test_ten_day_limit_across_mid_autumn_and_national_day_2026(official):
    # Fri 18 Sep: Sun 20 (1, 调休), 21–24 (2–5), Mid-Autumn 25–27, 28–30 (6–8), holiday 1–7 Oct, 8 (9), 9 (10).
    assert official.add_working_days(D(2026, 9, 18), 10) == D(2026, 10, 9)


# Into a year without a notice -------------------------------------------------------------------


def test_limit_from_december_2026_into_2027_is_counted_provisionally_and_flagged(official):
    # Thu 24 Dec: Fri 25 (1), 28–31 Dec (2–5), Fri 1 Jan 2027 off (fixed date), 4–8 Jan (6–10).
    counted = official.due_date(D(2026, 12, 24), 10)
    assert counted.date == D(2027, 1, 8)
    assert counted.provisional and counted.provisional_years == (FIRST_UNANNOUNCED,)
    assert official.provisional_years_in(D(2026, 12, 1), D(2028, 1, 1)) == (2027, 2028)


def test_limit_that_stays_inside_announced_years_is_not_flagged(official):
    counted = official.due_date(D(2026, 12, 1), 5)
    assert counted.date == D(2026, 12, 8)
    assert not counted.provisional
    assert not official.is_provisional(D(2026, 12, 31))


def test_provisional_rule_keeps_fixed_date_holidays_but_cannot_know_spring_festival(official):
    assert official.is_provisional(D(2027, 2, 8))
    assert not official.is_working_day(D(2027, 1, 1))  # Fri, New Year's Day
    # Labour Day 2027 falls on Sat 1 and Sun 2 May: the days the notice will give in lieu are unknown.
    assert official.is_working_day(D(2027, 5, 3))
    assert not official.is_working_day(D(2027, 10, 1))  # Fri, National Day
    assert official.describe(D(2027, 10, 1)).provisional
    # Spring Festival 2027 (around 6 Feb) is on the lunar calendar: unknown until the notice is entered.
    assert official.is_working_day(D(2027, 2, 8))


# Working hours ----------------------------------------------------------------------------------


def test_two_working_hours_from_eleven_skip_lunch(official):
    end = official.add_working_hours(local(2026, 3, 10, 11, 0), 2)
    assert end == local(2026, 3, 10, 14, 30)
    assert end.tzinfo == dt.UTC
    assert official.working_hours_between(local(2026, 3, 10, 11, 0), end) == 2.0


def test_three_working_hours_from_friday_afternoon_end_monday_morning(official):
    start = local(2026, 3, 13, 16, 30).astimezone(dt.UTC)  # Fri
    assert official.add_working_hours(start, 3) == local(2026, 3, 16, 11, 0)
    assert official.working_hours_between(start, local(2026, 3, 16, 11, 0)) == 3.0


def test_working_hours_continue_on_an_adjusted_working_saturday(official):
    # Fri 13 Feb 2026 16:30 + 2 h: one hour on Friday, one on Saturday 14 Feb (调休上班).
    assert official.add_working_hours(local(2026, 2, 13, 16, 30), 2) == local(2026, 2, 14, 10, 0)


def test_hours_started_outside_office_hours_count_from_the_next_opening(official):
    assert official.add_working_hours(local(2026, 3, 14, 20, 0), 0.5) == local(2026, 3, 16, 9, 30)  # Sat evening
    assert official.add_working_hours(local(2026, 3, 10, 12, 15), 1) == local(2026, 3, 10, 14, 30)  # at lunch
    assert official.add_working_hours(local(2026, 3, 10, 12, 0), 3) == local(2026, 3, 10, 16, 30)
    assert official.add_working_hours(local(2026, 3, 10, 9, 0), 3) == local(2026, 3, 10, 12, 0)
    assert official.add_working_hours(local(2026, 3, 10, 12, 15), 0) == local(2026, 3, 10, 12, 15)


def test_a_working_day_has_seven_office_hours(official):
    assert official.working_hours_between(local(2026, 3, 10, 0, 0), local(2026, 3, 11, 0, 0)) == 7.0
    assert official.working_hours_between(local(2026, 2, 15, 0, 0), local(2026, 2, 24, 0, 0)) == 0.0
    assert official.working_hours_between(local(2026, 3, 11, 0, 0), local(2026, 3, 10, 0, 0)) == -7.0


def test_naive_datetimes_are_refused(official):
    with pytest.raises(ValueError, match="aware"):
        official.add_working_hours(dt.datetime(2026, 3, 10, 9, 0), 1)


def test_a_date_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError, match="2026-02-14"):
        WorkCalendar(announced_years=[2026], holidays=[D(2026, 2, 14)], workdays=[D(2026, 2, 14)])


# Deadlines on the stored calendar ---------------------------------------------------------------


@pytest.mark.django_db
def test_due_at_is_close_of_office_on_the_last_working_day_in_utc():
    opened_at = local(2026, 9, 30, 10, 0).astimezone(dt.UTC)
    assert due_at(opened_at, 5) == local(2026, 10, 13, 17, 30)
    assert due_at(opened_at, 5).tzinfo == dt.UTC
    assert due_at(opened_at, None) is None
    assert not due(opened_at, 5).provisional


@pytest.mark.django_db
def test_due_into_2027_carries_the_provisional_warning():
    counted = due(local(2026, 12, 24, 10, 0), 10)
    assert counted.at == local(2027, 1, 8, 17, 30)
    assert counted.provisional_years == (2027,)


@pytest.mark.django_db
def test_data_migration_loaded_the_package_years():
    years = set(CalendarYear.objects.filter(announced=True).values_list("year", flat=True))
    assert years == set(package_years())
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == CalendarDay.Kind.WORKDAY


@pytest.mark.django_db
def test_empty_tables_fall_back_to_the_package():
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    calendar = calendar_store.get_calendar()
    assert calendar.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert not calendar.is_provisional(D(2026, 1, 1))


@pytest.mark.django_db
def test_administrator_entering_2027_in_the_admin_makes_it_announced_and_changes_the_count(admin_client):
    # An invented 2027 arrangement, for the test only: Mon 8 Feb off, Sat 20 Feb worked.
    before = calendar_store.get_calendar()
    assert before.is_provisional(D(2027, 2, 8))
    assert before.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 8)

    response = admin_client.post(
        "/admin/workdays/calendaryear/add/",
        {
            "year": 2027,
            "announced": "on",
            "source": "admin",
            "note": "国办发明电 (test)",
        },
    )
    assert response.status_code == 302, response.content
    for date, kind in (("2027-02-08", "holiday"), ("2027-02-20", "workday")):
        response = admin_client.post(
            "/admin/workdays/calendarday/add/", {"date": date, "kind": kind, "name": "春节 Spring Festival"}
        )
        assert response.status_code == 302, response.content

    after = calendar_store.get_calendar()
    assert not after.is_provisional(D(2027, 2, 8))
    assert not after.is_working_day(D(2027, 2, 8))
    assert after.is_working_day(D(2027, 2, 20))
    assert after.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 9)
    assert not due(local(2026, 12, 24, 10, 0), 10).provisional

    CalendarYear.objects.get(year=2027).delete()
    assert calendar_store.get_calendar().is_provisional(D(2027, 2, 8))


@pytest.mark.django_db
def test_admin_refuses_an_adjusted_working_day_on_a_weekday(admin_client):
    response = admin_client.post(
        "/admin/workdays/calendarday/add/", {"date": "2027-02-09", "kind": "workday", "name": ""}
    )
    assert response.status_code == 200
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2027, 2, 9)).exists()


@pytest.mark.django_db
def test_the_calendar_admin_reads_in_one_language_at_a_time(admin_client):
    """The weekday, the kind of day and the labels in the administrator's language."""
    path = "/admin/workdays/calendarday/?date__year=2026&date__month=10"
    chinese = admin_client.get(path).content.decode()
    assert "星期六" in chinese and "调休上班" in chinese and "Sat" not in chinese
    admin_client.cookies["django_language"] = "en"
    english = admin_client.get(path).content.decode()
    assert "Sat" in english and "adjusted working day" in english and "Weekday" in english
    assert "星期六" not in english and "调休上班" not in english
    english = admin_client.get("/admin/workdays/calendaryear/").content.decode()
    assert "Adjusted working days" in english and "Announced" in english and "日历年份" not in english
