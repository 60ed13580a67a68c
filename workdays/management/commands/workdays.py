"""manage.py workdays: count working days on the official calendar, check a date, import the package.

    workdays add 2026-09-30 5            2026-10-13
    workdays between 2026-09-30 2026-10-13   5
    workdays check 2026-10-10            2026-10-10 星期六：调休上班（国庆节）
    workdays import [--replace-admin]    re-import the years of the installed chinesecalendar package

Results go to stdout, one line; a note that a result rests on the provisional rule goes to stderr.
The words are in the site's language (settings.LANGUAGE_CODE, 简体中文), the command running
outside any request; `--language en` picks another.
"""

from __future__ import annotations

import argparse
import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from workdays.calendar import DayKind
from workdays.calendar_store import do_import_package_years, get_calendar
from workdays.official import package_source, package_years

KIND_LABELS = {
    DayKind.WORKING_DAY: gettext_lazy("working day"),
    DayKind.WEEKEND: gettext_lazy("weekend"),
    DayKind.HOLIDAY: pgettext_lazy("calendar day", "holiday"),
    DayKind.ADJUSTED_WORKDAY: gettext_lazy("adjusted working day"),
}


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date as YYYY-MM-DD: %(text)s") % {"text": repr(text)}) from None


def _listed(items) -> str:
    return pgettext("list separator", ", ").join(str(item) for item in items)


def holiday_name(name: str) -> str:
    """A holiday's name in the active language: the calendar writes them "国庆节 National Day"
    (workdays.official, and the admin's help text asks the same); a name in one language as written."""
    chinese, _space, english = name.partition(" ")
    if not english or not english.isascii() or chinese.isascii():
        return name
    return english if (translation.get_language() or "").startswith("en") else chinese


def provisional_note(years: tuple[int, ...]) -> str:
    return _(
        "Note: the holiday notice for %(years)s is not in the calendar; counted by the provisional rule "
        "(weekends and the fixed-date holidays only: New Year's Day, Labour Day, National Day)."
    ) % {"years": _listed(years)}


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants text, not a lazy string
        return _("Working days on the official calendar: add, between, check, import.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help=_("the language of the output (default: the site's, %(default)s)")
            % {"default": settings.LANGUAGE_CODE},
        )
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,between,check,import}")
        add = actions.add_parser("add", help=_("the date N working days after START (START not counted)"))
        add.add_argument("start", type=parse_date)
        add.add_argument("days", type=int)
        between = actions.add_parser("between", help=_("working days after START up to and including END"))
        between.add_argument("start", type=parse_date)
        between.add_argument("end", type=parse_date)
        check = actions.add_parser("check", help=_("what the calendar says about one date"))
        check.add_argument("date", type=parse_date)
        do_import = actions.add_parser("import", help=_("re-import the years of the chinesecalendar package"))
        do_import.add_argument(
            "--replace-admin", action="store_true", help=_("also replace years an administrator entered by hand")
        )

    def handle(self, *args, action, language=None, **options):
        with translation.override(language or settings.LANGUAGE_CODE):
            getattr(self, f"handle_{action}")(**options)

    def handle_add(self, *, start, days, **_options):
        if days < 0:
            raise CommandError(_("The number of working days cannot be negative: %(days)s") % {"days": days})
        counted = get_calendar().due_date(start, days)
        self.stdout.write(counted.date.isoformat())
        if counted.provisional:
            self.stderr.write(provisional_note(counted.provisional_years))

    def handle_between(self, *, start, end, **_options):
        calendar = get_calendar()
        self.stdout.write(str(calendar.working_days_between(start, end)))
        years = calendar.provisional_years_in(min(start, end) + dt.timedelta(days=1), max(start, end))
        if years and start != end:
            self.stderr.write(provisional_note(years))

    def handle_check(self, *, date, **_options):
        info = get_calendar().describe(date)
        words = {"date": date.isoformat(), "weekday": WEEKDAYS_ABBR[date.weekday()], "kind": KIND_LABELS[info.kind]}
        if info.name:
            line = _("%(date)s %(weekday)s: %(kind)s (%(holiday)s)") % {**words, "holiday": holiday_name(info.name)}
        else:
            line = _("%(date)s %(weekday)s: %(kind)s") % words
        self.stdout.write(line)
        if info.provisional:
            self.stderr.write(provisional_note((date.year,)))

    def handle_import(self, *, replace_admin, **_options):
        results = do_import_package_years(replace_admin=replace_admin)
        years = package_years()
        for result in results:
            if result.outcome == "added":
                self.stdout.write(_("%(year)s: added") % {"year": result.year})
            elif result.outcome == "updated":
                self.stdout.write(_("%(year)s: updated") % {"year": result.year})
            elif result.outcome == "kept" and result.differs:
                self.stdout.write(
                    _(
                        "%(year)s: kept as entered by an administrator, which differs from the package (--replace-admin to replace)"
                    )
                    % {"year": result.year}
                )
            elif result.outcome == "kept":
                self.stdout.write(
                    _("%(year)s: kept as entered by an administrator (--replace-admin to replace)")
                    % {"year": result.year}
                )
        unchanged = sum(r.outcome == "unchanged" for r in results)
        self.stdout.write(
            ngettext(
                "%(source)s: %(first)s–%(last)s, %(n)s year, %(unchanged)s unchanged",
                "%(source)s: %(first)s–%(last)s, %(n)s years, %(unchanged)s unchanged",
                len(results),
            )
            % {
                "source": package_source(),
                "first": years.start,
                "last": years.stop - 1,
                "n": len(results),
                "unchanged": unchanged,
            }
        )
