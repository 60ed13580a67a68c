"""流程再造 reports: the process list, one process version against version, the KPI tree.
Thin views: parse → access → figures → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from engine.models import Case
from processes.models import ProcessDefinition, ProcessVersion
from worklists.access import access_reports

from . import kpi
from .charts import chart_data
from .comparison import Comparison
from .figures import CaseSet, process_figures
from .registry import FIGURES

# The rows of the figures table, in the order a reform report lists them.
TABLE = [
    "cases",
    "concluded",
    "cycle_working_days_median",
    "cycle_working_days_p90",
    "cycle_calendar_hours_median",
    "cycle_calendar_hours_p90",
    "handoffs_per_case",
    "corrections_per_case",
    "materials_per_case",
    "trips_per_case",
    "at_most_one_trip_share",
    "fully_online_share",
    "notify_commit_share",
    "case_on_time_share",
    "task_on_time_share",
    "send_backs_per_case",
    "withdrawals_per_case",
    "urges_per_case",
    "extensions_per_case",
    "suspensions_per_case",
    "suspended_working_days_per_case",
    "not_accepted_share",
    "terminated_share",
]


@login_required
def index(request):
    access_reports(request.user)
    counts = Case.objects.values_list("version__definition", "version__number").annotate(n=Count("id"))
    by_process: dict[int, list] = {}
    for definition_id, number, n in counts.order_by("version__definition", "version__number"):
        by_process.setdefault(definition_id, []).append((number, n))
    processes = [
        {
            "definition": d,
            "versions": by_process.get(d.pk, []),
            "cases": sum(n for _number, n in by_process.get(d.pk, [])),
        }
        for d in ProcessDefinition.objects.order_by("key")
    ]
    return render(request, "reports/index.html", {"processes": processes})


def _compared(request, rows: list[tuple]) -> tuple | None:
    """The two versions of ``?compare=V1,V2``; by default the last two versions that have cases."""
    wanted = request.GET.get("compare")
    if not wanted:
        return (rows[-2], rows[-1]) if len(rows) >= 2 else None
    try:
        numbers = [int(part) for part in wanted.split(",")]
    except ValueError:
        numbers = []
    by_number = {version.number: (version, figures) for version, figures in rows}
    if len(numbers) != 2 or any(n not in by_number for n in numbers):
        have = pgettext("list separator", ", ").join(f"v{n}" for n in by_number) or "–"
        raise Http404(
            _("No such versions to compare: %(wanted)s (versions with cases: %(have)s).")
            % {"wanted": wanted, "have": have}
        )
    return by_number[numbers[0]], by_number[numbers[1]]


def table_rows(rows: list[tuple], comparison: Comparison | None) -> list[dict]:
    changes = {change.key: change for change in comparison.changes} if comparison else {}
    out = []
    for key in TABLE:
        figure = FIGURES[key]
        change = changes.get(key)
        out.append(
            {
                "key": key,
                "figure": figure,
                "unit": figure.unit_label,
                "values": [figure.format(figures[key]) for _version, figures in rows],
                "change": change.words() if change else None,
                "improved": change.improved if change else None,
            }
        )
    return out


def department_rows(rows: list[tuple]) -> list[dict]:
    """One row per department, the versions side by side."""
    codes: dict[str, dict] = {}
    for index, (_version, figures) in enumerate(rows):
        for row in figures["departments"]:
            entry = codes.setdefault(
                row["code"], {"name": row["name"], "name_en": row["name_en"], "cells": [None] * len(rows)}
            )
            entry["cells"][index] = row
    applicant_last = sorted(codes.items(), key=lambda item: (item[0] == "applicant", item[0]))
    return [{"code": code, **entry} for code, entry in applicant_last]


@login_required
def process_report(request, key: str):
    access_reports(request.user)
    try:
        definition = ProcessDefinition.objects.get(key=key)
    except ProcessDefinition.DoesNotExist:
        raise Http404(_("There is no process %(key)s.") % {"key": key}) from None
    rows = process_figures(definition)
    pair = _compared(request, rows)
    comparison = None
    if pair:
        (before, before_figures), (after, after_figures) = pair
        comparison = Comparison(
            before_figures, after_figures, before_label=f"v{before.number}", after_label=f"v{after.number}"
        )
    context = {
        "definition": definition,
        "rows": rows,
        "pair": pair,
        "comparison": comparison,
        "table": table_rows(rows, comparison),
        "departments": department_rows(rows),
        "chart": chart_data(rows),
    }
    return render(request, "reports/process.html", context)


@login_required
def kpi_tree(request):
    """The KPI tree evaluated over all cases, one process, or one of its versions."""
    access_reports(request.user)
    definitions = list(ProcessDefinition.objects.order_by("key").prefetch_related("versions"))
    key, number = request.GET.get("process") or "", request.GET.get("version") or ""
    cases, versions, definition, version = Case.objects.all(), None, None, None
    if key:
        definition = next((d for d in definitions if d.key == key), None)
        if definition is None:
            raise Http404(_("There is no process %(key)s.") % {"key": key})
        versions = list(definition.versions.all())
        cases = cases.filter(version__definition=definition)
        if number:
            version = next((v for v in versions if str(v.number) == number), None)
            if version is None:
                raise Http404(_("Process %(key)s has no version %(number)s.") % {"key": key, "number": number})
            versions, cases = [version], cases.filter(version=version)
    if versions is None:
        versions = list(ProcessVersion.objects.all())
    figures = CaseSet(cases, versions).figures()
    root = kpi.evaluate(figures)
    context = {
        "root": root,
        "counts": kpi.counts(root),
        "figures": figures,
        "definitions": definitions,
        "definition": definition,
        "version": version,
    }
    return render(request, "reports/kpi.html", context)
