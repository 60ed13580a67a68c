"""Process versions: deploying a BPMN file as a new version (process designers only).

Thin view: parse → gate (worklists.access.access_deploy) → action (processes.actions.do_deploy_version)
→ render. The same file again is not a new version: 200 with ``created: false``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from processes.actions import do_deploy_version
from processes.bpmn_file import BpmnFileError
from worklists.access import access_deploy

from .serializers import ErrorSerializer


class DeployJsonSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255, help_text="kept with the version, e.g. change_registration.bpmn")
    bpmn_xml = serializers.CharField(trim_whitespace=False, help_text="the whole BPMN 2.0 file")


class DeployUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="a .bpmn file from Camunda Modeler, SpiffArena or any BPMN 2.0 tool")


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    element = serializers.CharField(allow_null=True, help_text="the id of the BPMN element concerned, where known")


class DeployRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = ProblemSerializer(
        many=True, required=False, help_text="every problem of the file (as manage.py lint reports them)"
    )


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.CharField(source="definition.key")
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    filename = serializers.CharField()
    dialect = serializers.ChoiceField(choices=["camunda", "spiff"], help_text="which SpiffWorkflow parser runs it")
    deployed_at = serializers.DateTimeField()
    deployed_by = serializers.CharField(source="deployed_by.username", default=None, allow_null=True)
    created = serializers.BooleanField(help_text="false when this very file was deployed before (no new version)")


class VersionDeploy(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="versions_deploy",
        summary="Deploy a BPMN file as a new version of its process",
        description="Process designers only. JSON {filename, bpmn_xml} or multipart with "
        "`file`. The file is validated as `manage.py lint` does; with any problem nothing is stored (400, "
        "every problem listed). The same bytes again return the existing version (200, created false); "
        "changed bytes become version N+1 of the process key (201). Running cases stay on their version.",
        request={"application/json": DeployJsonSerializer, "multipart/form-data": DeployUploadSerializer},
        responses={
            201: VersionSerializer,
            200: VersionSerializer,
            400: OpenApiResponse(DeployRefusedSerializer),
            401: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
        },
    )
    def post(self, request):
        access_deploy(request.user)
        data, filename = self.file_of(request)
        try:
            result = do_deploy_version(data, filename, acting_user=request.user)
        except BpmnFileError as error:
            problems = [{"line": p.line, "message": p.message, "element": p.element} for p in error.problems]
            first = "; ".join(f"{filename}:{p['line'] or 1}: {p['message']}" for p in problems[:3])
            detail = _("Not deployed: %(problems)s") % {"problems": first}
            return Response({"detail": detail, "problems": problems}, status=400)
        version = result.version
        version.created = result.created
        return Response(
            VersionSerializer(version).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    @staticmethod
    def file_of(request) -> tuple[bytes, str]:
        if "file" in request.FILES:
            body = DeployUploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            upload = body.validated_data["file"]
            if upload.size > settings.BPMN_MAX_BYTES:
                sizes = {"size": upload.size / 1048576, "limit": settings.BPMN_MAX_BYTES / 1048576}
                raise ValidationError({"file": [_("The file is %(size).1f MB; the limit is %(limit).1f MB.") % sizes]})
            return upload.read(), upload.name[:255]
        body = DeployJsonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["bpmn_xml"].encode("utf-8"), body.validated_data["filename"]
