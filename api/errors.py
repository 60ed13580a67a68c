"""Errors as JSON ``{"detail": "..."}``: the engine's refusals mapped to HTTP, the gate's words kept.

The gate (worklists.access) raises Django's PermissionDenied / Http404 with a bilingual message;
DRF's own handler passes that message on. The write path raises EngineError subclasses, whose
message is meant for the person who asked: it is passed on too, with the status below.
"""

from __future__ import annotations

from django.http import JsonResponse
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
NOT_AUTHENTICATED = "需要登录或 API 令牌。 Authentication credentials were not provided."


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
        exc.detail = exceptions.ErrorDetail(NOT_AUTHENTICATED, code=exc.default_code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": " ".join(flatten(exc.detail)), "errors": exc.detail}
    return response


def not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: JSON, as everywhere else in the API."""
    return JsonResponse(
        {"detail": f"没有这个接口。 No API endpoint at {request.path} (paths end with a slash)."}, status=404
    )
