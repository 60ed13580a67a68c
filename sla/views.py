"""电子监察: the supervisor dashboard and its CSV exports. Thin views: parse → access → query → render.

Every page is a fixed number of SQL statements whatever the number of rows (see sla.dashboard and
tests/test_dashboard__supervisor.py::test_the_dashboard_runs_the_same_number_of_queries_for_ten_times_the_rows).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from processes.models import ServiceItem
from processes.names import in_language
from workdays.calendar_store import get_calendar
from worklists.access import access_deadlines, departments_visible_to
from worklists.models import Department

from . import dashboard as q

PAGE_SIZE = 25
# The lights' words, as on the worklists (desk.lists): 绿灯 / on time, and so on.
LIGHT_LABELS = {
    "green": gettext_lazy("on time"),
    "yellow": gettext_lazy("due soon"),
    "red": gettext_lazy("overdue"),
    "paused": gettext_lazy("paused"),
    "none": gettext_lazy("no limit"),
}


class Filters:
    """The request's scope, with the department and service-item rows the page lists."""

    def __init__(self, request):
        access_deadlines(request.user)
        visible = departments_visible_to(request.user)
        everything = list(Department.objects.order_by("code"))
        self.all_departments = everything  # names only: a case row names every department holding it
        self.departments = [d for d in everything if visible is None or d.code in visible]
        self.service_items = list(ServiceItem.objects.order_by("code"))
        department = request.GET.get("department") or None
        if department is not None:
            if department not in {d.code for d in everything}:
                raise Http404(_("No such department: %(code)s") % {"code": department})
            if visible is not None and department not in visible:
                raise PermissionDenied(_("You may see your own department only."))
        code = request.GET.get("service_item") or None
        item = next((i for i in self.service_items if i.code == code), None)
        if code is not None and item is None:
            raise Http404(_("No such service item: %(code)s") % {"code": code})
        self.scope = q.Scope(
            visible=tuple(visible) if visible is not None else None, department=department, service_item=item
        )
        self.department = next((d for d in self.departments if d.code == department), None)
        self.service_item = item


@login_required
def dashboard(request):
    filters = Filters(request)
    scope, now, calendar = filters.scope, timezone.now(), get_calendar()
    breaches = q.task_breaches_by_department(scope, now)
    page = Paginator(q.RedWindow(scope, now, filters.all_departments), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "now": now,
        "tasks": _lights(q.light_counts(scope.work_items(), now)),
        "cases": _lights(q.light_counts(scope.cases(), now)),
        "department_rows": q.department_rows(scope, filters.departments, now, breaches),
        "service_item_rows": q.service_item_rows(scope, filters.service_items, now),
        "page": page,
        "red_rows": page.object_list,
        "chart": q.breach_chart(scope, filters.departments, now),
        "provisional_years": q.provisional_years(scope.without_department().without_service_item(), calendar),
        "lights": [(light, LIGHT_LABELS[light]) for light in q.LIGHTS],
    }
    return render(request, "sla/dashboard.html", context)


def _lights(counts: Counter) -> dict:
    cells = [{"light": light, "label": LIGHT_LABELS[light], "n": counts[light]} for light in q.LIGHTS]
    return {"cells": cells, "total": sum(c["n"] for c in cells)}


# CSV ------------------------------------------------------------------------------------------
# The files are for people, opened in a spreadsheet: the headers and the words in them are in the
# language of whoever downloads them, as the page is; the columns keep their order in both, and
# the codes (case numbers, department and service-item codes) and the numbers are the same.


class _Echo:
    """csv.writer writes into this and we yield what it wrote: no buffer grows."""

    def write(self, value):
        return value


def _csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    language = translation.get_language()  # the rows are written after the view returns

    def stream() -> Iterator[str]:
        with translation.override(language):
            writer = csv.writer(_Echo())
            yield "\ufeff"  # the BOM: Excel opens the file as UTF-8 and shows the Chinese correctly
            yield writer.writerow(header)
            for row in rows:
                yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


RED_HEADER = [
    gettext_lazy("Kind"),
    gettext_lazy("Case"),
    gettext_lazy("Task"),
    gettext_lazy("Department code"),
    gettext_lazy("Department"),
    gettext_lazy("Responsible"),
    gettext_lazy("Due"),
    gettext_lazy("Overdue working hours"),
    gettext_lazy("Overdue (working time)"),
    gettext_lazy("Escalation level"),
    gettext_lazy("Urged"),
]


@login_required
def red_list_csv(request):
    filters = Filters(request)
    now = timezone.now()

    def rows():
        for row in q.red_rows(filters.scope, now, filters.all_departments):
            yield [
                _("task") if row.kind == "task" else _("case"),
                row.case_number,
                in_language(row.task),
                row.dept_code,
                row.department,
                row.responsible,
                _local(row.due_at),
                f"{row.overdue_hours:g}",
                row.overdue,
                row.escalation_level,
                row.urges,
            ]

    return _csv_response("sla-red-list", [str(label) for label in RED_HEADER], rows())


COUNTS_HEADER = [
    gettext_lazy("Dimension"),
    gettext_lazy("Code"),
    gettext_lazy("Name"),
    gettext_lazy("English name"),
    *[LIGHT_LABELS[light] for light in q.LIGHTS],
    gettext_lazy("Total"),
]


@login_required
def counts_csv(request):
    filters = Filters(request)
    scope, now = filters.scope, timezone.now()

    def rows():
        for label, counts in (
            (_("All open tasks"), q.light_counts(scope.work_items(), now)),
            (_("All running cases"), q.light_counts(scope.cases(), now)),
        ):
            yield [label, "", "", "", *[counts[light] for light in q.LIGHTS], sum(counts[light] for light in q.LIGHTS)]
        # The page's tables list every department and service item to drill into; the export
        # keeps to the filters, so that a drill-down exports its own rows only.
        departments = q.department_rows(scope, filters.departments, now)
        items = q.service_item_rows(scope, filters.service_items, now)
        if scope.department is not None:
            departments = [row for row in departments if row.code == scope.department]
        if scope.service_item is not None:
            items = [row for row in items if row.code == scope.service_item.code]
        for label, table in ((_("Department"), departments), (_("Service item"), items)):
            for row in table:
                yield [label, row.code, row.name, row.name_en, *[n for _, n in row.ordered()], row.total]

    return _csv_response("sla-counts", [str(label) for label in COUNTS_HEADER], rows())
