"""Versions of a process, the diff between two, and migrating running cases (process designers only).

Thin views: parse → gate (worklists.access.access_process_by_key, access_migration) → action
(designer.diff, engine.migration) → render. A migration moves each case in its own transaction;
the answer lists the cases moved, refused (with the reason) and failed.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.diff import version_diff
from engine.alignment import parse_mapping
from engine.migration import MigrationReport, do_migrate_batch_back, do_migrate_cases, dry_run
from engine.models import Case, Event
from worklists.access import access_migration, access_process_by_key

from .serializers import ErrorSerializer

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404)}


class VersionRowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    dialect = serializers.CharField()
    deployed_at = serializers.DateTimeField()
    deployed_by = serializers.CharField(source="deployed_by.username", default=None, allow_null=True)
    running_cases = serializers.IntegerField(source="running")
    cases = serializers.IntegerField(source="total")


class ChangeDetailSerializer(serializers.Serializer):
    what = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class StepChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["added", "removed", "renamed", "changed"])
    old_id = serializers.CharField(allow_null=True)
    new_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    how = serializers.CharField(help_text="for renamed steps: mapped, same name or same place")
    details = ChangeDetailSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    process = serializers.CharField()
    to = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    steps = StepChangeSerializer(many=True)
    departments = serializers.ListField(child=serializers.DictField())
    markers = serializers.DictField(help_text="old / new: BPMN id -> added, removed, renamed or changed")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField()  # a keyword in Python
        return fields


class MigrationRequestSerializer(serializers.Serializer):
    to = serializers.IntegerField(help_text="the version number to move to")
    mapping = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        default=dict,
        help_text="old step id -> new step id, for removed or renamed steps",
    )
    cases = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        allow_null=True,
        default=None,
        help_text="only these case numbers (default: every running case)",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(help_text="the version number the cases run on")
        return fields


class BackRequestSerializer(serializers.Serializer):
    batch = serializers.RegexField(r"^[0-9a-f]{32}$", help_text="the batch of an earlier migration")


class PositionSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="where the case waits (BPMN id in the version it runs on)")
    name = serializers.CharField()
    target = serializers.CharField(allow_null=True, help_text="the step it would be at in the new version")


class VerdictSerializer(serializers.Serializer):
    case = serializers.CharField(source="number")
    movable = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    positions = PositionSerializer(many=True)


class DryRunSerializer(serializers.Serializer):
    running = serializers.IntegerField()
    movable = serializers.IntegerField()
    verdicts = VerdictSerializer(many=True)


class RefusalSerializer(serializers.Serializer):
    case = serializers.CharField()
    reason = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    batch = serializers.CharField(help_text="give it to migrations/back/ to move these cases back")
    migrated = serializers.ListField(child=serializers.CharField())
    refused = RefusalSerializer(many=True)
    failed = RefusalSerializer(many=True)


def version_of(definition, number):
    try:
        return definition.versions.get(number=int(number))
    except (TypeError, ValueError, definition.versions.model.DoesNotExist):
        raise Http404(
            _("%(process)s has no version %(number)s.") % {"process": definition.key, "number": number}
        ) from None


def render_report(report: MigrationReport) -> Response:
    return Response(
        {
            "batch": report.batch,
            "migrated": report.migrated,
            "refused": [{"case": n, "reason": r} for n, r in report.refused],
            "failed": [{"case": n, "reason": r} for n, r in report.failed],
        }
    )


class ProcessVersions(generics.ListAPIView):
    serializer_class = VersionRowSerializer

    @extend_schema(
        operation_id="process_versions",
        summary="The versions of a process: who deployed which file when, how many cases run on each",
        responses={200: VersionRowSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        definition = access_process_by_key(self.request.user, self.kwargs["key"])
        return (
            definition.versions.select_related("deployed_by")
            .annotate(running=Count("cases", filter=Q(cases__status=Case.Status.RUNNING)), total=Count("cases"))
            .order_by("-number")
        )


class ProcessDiff(APIView):
    @extend_schema(
        operation_id="process_diff",
        summary="The difference between two versions: steps added, removed, renamed, changed",
        parameters=[
            OpenApiParameter("from", int, required=True),
            OpenApiParameter("to", int, required=True),
            OpenApiParameter("map", str, many=True, description="old_id=new_id, for removed or renamed steps"),
        ],
        responses={200: DiffSerializer, **ERRORS},
    )
    def get(self, request, key):
        definition = access_process_by_key(request.user, key)
        old = version_of(definition, request.query_params.get("from"))
        new = version_of(definition, request.query_params.get("to"))
        return Response(version_diff(old, new, parse_mapping(request.query_params.getlist("map"))).as_dict())


def _parsed(request, key):
    definition = access_process_by_key(request.user, key)
    access_migration(request.user)
    body = MigrationRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    old, new = version_of(definition, data["from"]), version_of(definition, data["to"])
    return old, new, parse_mapping(data["mapping"]), data["cases"]


class MigrationDryRun(APIView):
    @extend_schema(
        operation_id="migrations_dry_run",
        summary="Which running cases can move to another version, and why the others cannot",
        description="Process designers only. Changes nothing. The verdict per case is what "
        "migrations/ will do with it, unless the case moves on in between.",
        request=MigrationRequestSerializer,
        responses={200: DryRunSerializer, **ERRORS},
    )
    def post(self, request, key):
        old, new, mapping, numbers = _parsed(request, key)
        verdicts = dry_run(old, new, mapping=mapping, numbers=numbers)
        return Response(
            {
                "running": len(verdicts),
                "movable": sum(v.movable for v in verdicts),
                "verdicts": [
                    {
                        "case": v.number,
                        "movable": v.movable,
                        "reasons": v.reasons,
                        "positions": [{"step": p.step, "name": p.name, "target": p.target} for p in v.positions],
                    }
                    for v in verdicts
                ],
            }
        )


class Migrations(APIView):
    @extend_schema(
        operation_id="migrations_run",
        summary="Move running cases to another version, each in its own transaction",
        description="Process designers only. Each case is checked again under its lock; a case "
        "that cannot move is listed under refused with the reason and stays where it was. Deadlines and "
        "timers are kept. Every move is a case_migrated event; the batch can be moved back.",
        request=MigrationRequestSerializer,
        responses={200: ReportSerializer, **ERRORS},
    )
    def post(self, request, key):
        old, new, mapping, numbers = _parsed(request, key)
        return render_report(do_migrate_cases(old, new, mapping=mapping, acting_user=request.user, numbers=numbers))


class MigrationBack(APIView):
    @extend_schema(
        operation_id="migrations_back",
        summary="The way back: move the cases of an earlier migration back to the version they came from",
        request=BackRequestSerializer,
        responses={200: ReportSerializer, **ERRORS},
    )
    def post(self, request, key):
        definition = access_process_by_key(request.user, key)
        access_migration(request.user)
        body = BackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = body.validated_data["batch"]
        if not Event.objects.filter(
            kind=Event.Kind.CASE_MIGRATED, version__definition=definition, data__batch=batch
        ).exists():
            raise Http404(_("There is no such migration."))
        return render_report(do_migrate_batch_back(batch, acting_user=request.user))
