"""The notify-and-commit page: its figures, the revocations, the results flagged for review."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from processes.names import in_language
from worklists import access
from worklists.models import Department

from . import figures
from .models import CreditRecord, Licence

PAGE_SIZE = 25


@login_required
@require_GET
def commitment_page(request):
    access.access_reports(request.user)
    names = {
        code: in_language(name, name_en)
        for code, name, name_en in Department.objects.values_list("code", "name", "name_en")
    }
    rows = figures.post_check_outcomes()
    for row in rows:
        row.name = names.get(row.department, row.department)
    records = Paginator(CreditRecord.objects.select_related("licence", "case"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    flagged = (
        Licence.objects.filter(flagged_at__isnull=False, status=Licence.Status.VALID)
        .select_related("case")
        .order_by("-flagged_at")[:PAGE_SIZE]
    )
    context = {
        "time_to_licence": figures.time_to_licence(),
        "post_checks": rows,
        "records": records,
        "flagged": flagged,
    }
    return render(request, "licences/commitment.html", context)
