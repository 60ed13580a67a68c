"""信用记录 lookups: public, by an enterprise's unified social credit code. Enterprises' breaches
are published (as 信用中国 does); nothing here names a person."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from .models import CreditRecord

PAGE_SIZE = 50


def _records(code: str) -> list[dict]:
    """The records, newest first. ``kind_name`` is in the reader's language; ``summary`` is the
    record as it was written, in the site's language (licences.effects)."""
    rows = CreditRecord.objects.filter(enterprise_uscc=code).select_related("licence", "case")[:PAGE_SIZE]
    return [
        {
            "kind": row.kind,
            "kind_name": row.get_kind_display(),
            "enterprise_name": row.enterprise_name,
            "recorded_on": timezone.localdate(row.recorded_at).isoformat(),
            "department": row.department,
            "licence": row.licence.number if row.licence else None,
            "case": row.case.number,
            "summary": row.summary,
        }
        for row in rows
    ]


def _answer(code: str) -> tuple[dict, int]:
    try:
        code = uscc.validate(code)
    except StdnumError:
        return {
            "enterprise_uscc": code,
            "error": _("The unified social credit code is not valid (18 characters, the last is a check digit)."),
        }, 400
    records = _records(code)
    return {"enterprise_uscc": code, "count": len(records), "records": records}, 200


@require_GET
def credit_page(request, code):
    answer, status = _answer(code)
    return render(request, "licences/credit.html", {"answer": answer}, status=status)


@require_GET
def credit_api(request, code):
    answer, status = _answer(code)
    return JsonResponse(answer, status=status, json_dumps_params={"ensure_ascii": False})
