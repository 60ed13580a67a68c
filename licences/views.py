"""Public verification (no login) and the licence downloads. Plain Django views: parse → look up → render."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from processes.names import in_language
from worklists import access

from . import rendering, verification
from .models import Licence, LicenceKind

MAX_PASTE_CHARS = 20_000  # a licence document is about 1 KB


def kind_shown(answer: dict) -> str:
    """The kind the licence names (signed in Chinese: "营业执照"), in the reader's language where
    the kind has an English name ("business licence")."""
    kind = LicenceKind.objects.filter(code=answer.get("kind") or "").first()
    return in_language(answer.get("kind_name") or "", kind.name_en if kind else "")


@require_GET
def verify_page(request, number):
    answer = verification.verify_number(number, request.GET.get("s"))
    status = 404 if answer["status"] == verification.UNKNOWN else 200
    context = {"answer": answer, "kind_shown": kind_shown(answer)}
    return render(request, "licences/verify.html", context, status=status)


@require_GET
def verify_api(request, number):
    answer = verification.verify_number(number, request.GET.get("s"))
    status = 404 if answer["status"] == verification.UNKNOWN else 200
    return JsonResponse(answer, status=status, json_dumps_params={"ensure_ascii": False})


def _parse_document(text: str):
    if len(text) > MAX_PASTE_CHARS:
        return None, _("the document is too long")
    try:
        return json.loads(text), None
    except ValueError:
        return None, _("not valid JSON")


@require_http_methods(["GET", "POST"])
def verify_paste_page(request):
    """Paste a licence's JSON document; the page says whether its signature is valid."""
    answer = None
    text = ""
    if request.method == "POST":
        text = request.POST.get("document", "")
        document, error = _parse_document(text)
        answer = {"signature_valid": False, "reason": error} if error else verification.verify_document(document)
    return render(request, "licences/verify_paste.html", {"answer": answer, "text": text})


@csrf_exempt  # no session, no login, nothing changes: a machine posts a document and reads the answer
@require_POST
def verify_document_api(request):
    document, error = _parse_document(request.body.decode("utf-8", errors="replace"))
    if error:
        return JsonResponse(
            {"signature_valid": False, "reason": error}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return JsonResponse(verification.verify_document(document), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def licence_download(request, number, fmt):
    licence = get_object_or_404(Licence.objects.select_related("case"), number=number)
    access.access_case_by_number(request.user, licence.case.number)  # who may open the case may take its licences
    if fmt == "json":
        response = HttpResponse(rendering.licence_json(licence), content_type="application/json; charset=utf-8")
    elif fmt == "pdf":
        response = HttpResponse(rendering.licence_pdf(licence), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{licence.number}.{fmt}"'
    return response
