"""Errors as JSON ``{"detail": "..."}``: the engine's refusals mapped to HTTP, the gate's words kept.

The gate (worklists.access) raises Django's PermissionDenied / Http404 with a message saying why;
DRF's own handler passes that message on. The write path raises EngineError subclasses, whose
message is meant for the person who asked: it is passed on too, with the status below. Messages
are in the request's language (LocaleMiddleware: Accept-Language, 简体中文 by default).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from engine.errors import CaseNotRunning, EngineError, InvalidInput, MessageNotExpected, StepFailed, TaskConflict

ENGINE_STATUS = (
    (TaskConflict, 409),  # stale, double or someone else's claim
    (MessageNotExpected, 409),
    (CaseNotRunning, 409),
    (InvalidInput, 400),
    (StepFailed, 422),  # the process could not continue; the step was rolled back
)


def flatten(errors, prefix: str = "") -> list[str]:
    """Field errors as "field: message" lines, for the one-line ``detail``."""
    if isinstance(errors, dict):
        lines = []
        for key, value in errors.items():
            name = key if key != "non_field_errors" else ""
            lines += flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
        return lines
    if isinstance(errors, list):
        return [line for value in errors for line in flatten(value, prefix)]
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def exception_handler(exc, context):
    if isinstance(exc, EngineError):
        status = next((code for kind, code in ENGINE_STATUS if isinstance(exc, kind)), 500)
        set_rollback()
        body = {"detail": str(exc)}
        if isinstance(exc, InvalidInput) and exc.errors:  # the write path's rules, by field
            body["errors"] = exc.errors
        return Response(body, status=status)
    if isinstance(exc, exceptions.NotAuthenticated):
        # The same exception, so that the WWW-Authenticate header DRF attached to it stays.
        exc.detail = exceptions.ErrorDetail(_("Authentication credentials were not provided."), code=exc.default_code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": " ".join(flatten(exc.detail)), "errors": exc.detail}
    return response


def not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: JSON, as everywhere else in the API."""
    return JsonResponse(
        {"detail": _("No API endpoint at %(path)s (paths end with a slash).") % {"path": request.path}},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
