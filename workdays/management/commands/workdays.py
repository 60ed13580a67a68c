"""manage.py workdays: count working days on the official calendar, check a date, import the package.

    workdays add 2026-09-30 5            2026-10-13
    workdays between 2026-09-30 2026-10-13   5
    workdays check 2026-10-10            2026-10-10 星期六 Sat：调休上班 adjusted working day（国庆节 National Day）
    workdays import [--replace-admin]    re-import the years of the installed chinesecalendar package

Results go to stdout, one line; a note that a result rests on the provisional rule goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from workdays.calendar import WEEKDAY_NAMES, DayKind
from workdays.calendar_store import do_import_package_years, get_calendar
from workdays.official import package_source, package_years

KIND_LABELS = {
    DayKind.WORKING_DAY: "工作日 working day",
    DayKind.WEEKEND: "休息日 weekend",
    DayKind.HOLIDAY: "放假 holiday",
    DayKind.ADJUSTED_WORKDAY: "调休上班 adjusted working day",
}


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD expected a date as YYYY-MM-DD: {text!r}") from None


def provisional_note(years: tuple[int, ...]) -> str:
    listed = "、".join(str(y) for y in years)
    return (
        f"注意：{listed} 年放假安排未录入，按临时规则计算（周末及元旦、劳动节、国庆节固定日期）。"
        f" Note: the holiday notice for {', '.join(str(y) for y in years)} is not in the calendar;"
        " counted by the provisional rule (weekends and the fixed-date holidays only)."
    )


class Command(BaseCommand):
    help = "工作日计算 Working days on the official calendar: add, between, check, import."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,between,check,import}")
        add = actions.add_parser("add", help="the date N working days after START (START not counted)")
        add.add_argument("start", type=parse_date)
        add.add_argument("days", type=int)
        between = actions.add_parser("between", help="working days after START up to and including END")
        between.add_argument("start", type=parse_date)
        between.add_argument("end", type=parse_date)
        check = actions.add_parser("check", help="what the calendar says about one date")
        check.add_argument("date", type=parse_date)
        do_import = actions.add_parser("import", help="re-import the years of the chinesecalendar package")
        do_import.add_argument(
            "--replace-admin", action="store_true", help="also replace years an administrator entered by hand"
        )

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_add(self, *, start, days, **_):
        if days < 0:
            raise CommandError(f"工作日数不能为负 The number of working days cannot be negative: {days}")
        counted = get_calendar().due_date(start, days)
        self.stdout.write(counted.date.isoformat())
        if counted.provisional:
            self.stderr.write(provisional_note(counted.provisional_years))

    def handle_between(self, *, start, end, **_):
        calendar = get_calendar()
        self.stdout.write(str(calendar.working_days_between(start, end)))
        years = calendar.provisional_years_in(min(start, end) + dt.timedelta(days=1), max(start, end))
        if years and start != end:
            self.stderr.write(provisional_note(years))

    def handle_check(self, *, date, **_):
        info = get_calendar().describe(date)
        line = f"{date.isoformat()} {WEEKDAY_NAMES[date.weekday()]}：{KIND_LABELS[info.kind]}"
        self.stdout.write(f"{line}（{info.name}）" if info.name else line)
        if info.provisional:
            self.stderr.write(provisional_note((date.year,)))

    def handle_import(self, *, replace_admin, **_):
        results = do_import_package_years(replace_admin=replace_admin)
        years = package_years()
        for result in results:
            if result.outcome in ("added", "updated"):
                self.stdout.write(f"{result.year}: {'已导入 added' if result.outcome == 'added' else '已更新 updated'}")
            elif result.outcome == "kept":
                differs = "，与软件包不同 differs from the package" if result.differs else ""
                self.stdout.write(
                    f"{result.year}: 保留管理员录入 kept as entered by an administrator{differs}"
                    " (--replace-admin to replace)"
                )
        unchanged = sum(r.outcome == "unchanged" for r in results)
        self.stdout.write(
            f"{package_source()}: {years.start}–{years.stop - 1}，{len(results)} 年 years，{unchanged} 年未变 unchanged"
        )
