"""The modeler: open a deployed version, a draft or a new process in bpmn-js; validate live;
save drafts; import files from other tools; deploy a new version.

Thin views: parse → access (worklists.access) → action (designer.actions) → render. Pages send
anonymous visitors to log in. The JSON endpoints the modeler calls (validate, drafts, deploy)
answer in JSON: 403 for anyone the gate refuses, including anonymous callers.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from licences.models import LicenceKind
from processes.bpmn_file import BpmnFileError, read_bpmn
from processes.models import ProcessDefinition
from processes.names import in_language
from processes.validation import validate as validate_file
from worklists import access
from worklists.models import Department

from .actions import DraftConflict, do_deploy_from_modeler, do_import_draft, do_save_draft
from .blank import blank_process
from .models import Draft


def access_draft_by_id(user, draft_id) -> Draft:
    """A draft, for the designers who may see it (the gate's rule: worklists.access.access_design)."""
    access.access_design(user)
    try:
        return Draft.objects.select_related("based_on__definition", "deployed_as").get(pk=draft_id)
    except (Draft.DoesNotExist, ValueError):
        raise Http404(_("There is no draft %(id)s.") % {"id": draft_id}) from None


BUNDLE = "designer/build/modeler.js"


def json_endpoint(view):
    """POST only; the gate's refusals, unknown objects and bad input as JSON ``{"detail": ...}``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": _("Log in first.")}, status=403)
        if request.method != "POST":
            return JsonResponse({"detail": _("Only POST is accepted here.")}, status=405, headers={"Allow": "POST"})
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return JsonResponse({"detail": str(refusal)}, status=403)
        except Http404 as missing:
            return JsonResponse({"detail": str(missing)}, status=404)
        except BadRequest as bad:
            return JsonResponse({"detail": str(bad)}, status=400)

    return wrapper


def json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("The request body is not JSON.")) from None
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or not body["xml"].strip():
        raise BadRequest(_('The process XML is missing: send {"xml": "<bpmn:definitions …>"}.'))
    return body


def optional_int(body: dict, name: str) -> int | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": name})
    return value


def problem_json(problem) -> dict:
    return {"line": problem.line, "message": problem.message, "element": problem.element}


def problems_response(problems, status=400) -> JsonResponse:
    lines = "; ".join(
        _("line %(line)s: %(problem)s") % {"line": p.line or 1, "problem": p.message} for p in problems[:3]
    )
    return JsonResponse(
        {
            "detail": _("The process has problems, nothing was stored: %(problems)s") % {"problems": lines},
            "problems": [problem_json(p) for p in problems],
        },
        status=status,
    )


def draft_json(draft: Draft) -> dict:
    return {
        "id": draft.pk,
        "revision": draft.revision,
        "process_key": draft.process_key,
        "url": reverse("designer:modeler_draft", args=[draft.pk]),
    }


# --- pages -----------------------------------------------------------------------------------


@login_required
def index(request, *, import_problems=None, status=200):
    access.access_design(request.user)
    definitions = ProcessDefinition.objects.order_by("key")
    processes = [(definition, definition.latest_version()) for definition in definitions]
    drafts = Draft.objects.select_related("author", "updated_by", "based_on__definition", "deployed_as__definition")[
        :50
    ]
    return render(
        request,
        "designer/index.html",
        {
            "processes": processes,
            "drafts": drafts,
            "import_problems": import_problems,
        },
        status=status,
    )


@login_required
def modeler_new(request):
    access.access_design(request.user)
    return modeler_page(
        request, xml=blank_process(), dialect="camunda", title=pgettext("name of a new process", "New process")
    )


@login_required
def modeler_version(request, pk):
    version = access.access_version_by_id(request.user, pk)
    return modeler_page(request, xml=version.bpmn_xml, dialect=version.dialect, title=version.label, version=version)


@login_required
def modeler_draft(request, pk):
    draft = access_draft_by_id(request.user, pk)
    try:
        dialect = read_bpmn(draft.bpmn_xml.encode(), draft.filename or "draft.bpmn").dialect
    except BpmnFileError:  # saved under an older, more lenient reading: open it anyway
        dialect = "camunda"
    title = in_language(draft.name) or draft.process_key or _("Draft")
    return modeler_page(request, xml=draft.bpmn_xml, dialect=dialect, title=title, draft=draft, version=draft.based_on)


def modeler_page(request, *, xml: str, dialect: str, title: str, draft: Draft | None = None, version=None):
    # Names in the reader's language, as the rest of the page (processes.names).
    departments = [
        {"code": d.code, "name": in_language(d.name, d.name_en)} for d in Department.objects.order_by("code")
    ]
    data = {
        "xml": xml,
        "dialect": dialect,
        "draft": draft_json(draft) if draft else None,
        "based_on": version.pk if version else None,
        "departments": departments,
        "licence_kinds": [
            {"code": kind.code, "name": in_language(kind.name, kind.name_en)} for kind in LicenceKind.objects.all()
        ],
        "urls": {
            "validate": reverse("designer:validate"),
            "drafts": reverse("designer:draft_create"),
            "draft": reverse("designer:draft_save", args=[0]).replace("/0/", "/{id}/"),
            "deploy": reverse("designer:deploy"),
        },
    }
    return render(
        request,
        "designer/modeler.html",
        {
            "data": data,
            "title": title,
            "draft": draft,
            "version": version,
            "dialect": dialect,
            "bundle_missing": finders.find(BUNDLE) is None,
        },
    )


@login_required
@require_POST
def import_file(request):
    access.access_design(request.user)
    upload = request.FILES.get("file")
    if upload is None:
        return index(request, import_problems=[_("Choose a .bpmn file.")], status=400)
    if upload.size > settings.BPMN_MAX_BYTES:  # refused before it is read into memory
        problem = _("%(file)s:1: the file is %(size).1f MB; the limit is %(limit).1f MB") % {
            "file": upload.name,
            "size": upload.size / 1048576,
            "limit": settings.BPMN_MAX_BYTES / 1048576,
        }
        return index(request, import_problems=[problem], status=400)
    try:
        draft = do_import_draft(upload.read(), upload.name, acting_user=request.user)
    except BpmnFileError as error:
        return index(
            request, import_problems=[f"{upload.name}:{p.line or 1}: {p.message}" for p in error.problems], status=400
        )
    return redirect("designer:modeler_draft", draft.pk)


# --- what the modeler calls ------------------------------------------------------------------


@json_endpoint
def validate(request):
    """The same checks as ``manage.py lint``, each problem with the element it concerns."""
    access.access_design(request.user)
    xml = json_body(request)["xml"]
    try:
        file = read_bpmn(xml.encode("utf-8"), "modeler.bpmn")
    except BpmnFileError as error:
        return JsonResponse({"ok": False, "dialect": None, "problems": [problem_json(p) for p in error.problems]})
    problems = validate_file(file)
    return JsonResponse({"ok": not problems, "dialect": file.dialect, "problems": [problem_json(p) for p in problems]})


@json_endpoint
def draft_create(request):
    access.access_design(request.user)
    body = json_body(request)
    based_on_id = optional_int(body, "based_on")
    based_on = access.access_version_by_id(request.user, based_on_id) if based_on_id else None
    try:
        draft = do_save_draft(body["xml"], acting_user=request.user, based_on=based_on)
    except BpmnFileError as error:
        return problems_response(error.problems)
    return JsonResponse({"draft": draft_json(draft)}, status=201)


@json_endpoint
def draft_save(request, pk):
    draft = access_draft_by_id(request.user, pk)
    body = json_body(request)
    revision = optional_int(body, "revision")
    if revision is None:
        raise BadRequest(_("Send the revision you edited."))
    try:
        draft = do_save_draft(body["xml"], acting_user=request.user, draft_id=draft.pk, revision=revision)
    except BpmnFileError as error:
        return problems_response(error.problems)
    except DraftConflict as conflict:
        return JsonResponse({"detail": str(conflict), "draft": draft_json(conflict.draft)}, status=409)
    return JsonResponse({"draft": draft_json(draft)})


@json_endpoint
def deploy(request):
    """Deploy the modeler's XML as a new version: designers only, checked here and in the API."""
    access.access_deploy(request.user)
    body = json_body(request)
    draft_id = optional_int(body, "draft")
    draft = access_draft_by_id(request.user, draft_id) if draft_id else None
    try:
        result = do_deploy_from_modeler(body["xml"], acting_user=request.user, draft=draft)
    except BpmnFileError as error:
        return problems_response(error.problems)
    version = result.version
    return JsonResponse(
        {
            "created": result.created,
            "message": deploy_message(result),
            "version": {
                "id": version.pk,
                "process": version.definition.key,
                "number": version.number,
                "dialect": version.dialect,
                "sha256": version.sha256,
                "url": reverse("designer:modeler_version", args=[version.pk]),
            },
        },
        status=201 if result.created else 200,
    )


def deploy_message(result) -> str:
    version = result.version
    names = {"process": version.definition.key, "number": version.number}
    if result.created:
        return _("Deployed as %(process)s version %(number)s; new cases start on it.") % names
    return _("Unchanged: %(process)s version %(number)s already has this file.") % names
