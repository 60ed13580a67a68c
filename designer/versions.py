"""Versions of a process: the list (who deployed what, when, how many cases run on each), the
diff between two versions shown on both diagrams, and migrating running cases (dry run, move,
way back).

Thin views: parse → access (worklists.access) → action (engine.migration) → render.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from engine.alignment import align_versions, parse_mapping
from engine.errors import EngineError
from engine.migration import MigrationReport, do_migrate_batch_back, do_migrate_cases, dry_run
from engine.models import Case, Event
from worklists import access

from .diff import version_diff

BATCH = re.compile(r"[0-9a-f]{32}")
RECENT_MIGRATIONS = 500  # events read for the list of recent batches


def version_by_number(definition, value, *, default=None):
    if value in (None, ""):
        return default
    try:
        return definition.versions.get(number=int(value))
    except (ValueError, definition.versions.model.DoesNotExist):
        raise Http404(
            _("%(process)s has no version %(number)s.") % {"process": definition.key, "number": value}
        ) from None


def version_pair(request, definition):
    """(from, to) from ?from=N&to=M; by default the version before the latest, and the latest."""
    numbers = list(definition.versions.order_by("-number").values_list("number", flat=True)[:2])
    if len(numbers) < 2:
        raise Http404(_("%(process)s has only one version.") % {"process": definition.key})
    source = request.POST if request.method == "POST" else request.GET
    new = version_by_number(definition, source.get("to"), default=definition.versions.get(number=numbers[0]))
    old = version_by_number(definition, source.get("from"), default=definition.versions.get(number=numbers[1]))
    if old.pk == new.pk:
        raise Http404(_("Choose two different versions."))
    return old, new


def mapping_of(request) -> tuple[dict, str]:
    """The step mapping typed as lines ``old=new`` (field ``map``); raises EngineError if malformed."""
    source = request.POST if request.method == "POST" else request.GET
    text = source.get("map", "")
    lines = [line.strip() for line in re.split(r"[\n,;]", text) if line.strip()]
    return parse_mapping(lines), "\n".join(lines)


def recent_batches(definition) -> list[dict]:
    """The latest migrations of this process's cases, one row per batch, for the way back."""
    events = (
        Event.objects.filter(kind=Event.Kind.CASE_MIGRATED, version__definition=definition)
        .select_related("actor")
        .order_by("-id")[:RECENT_MIGRATIONS]
    )
    batches: dict[str, dict] = {}
    for event in events:
        batch = event.data.get("batch")
        if not batch:
            continue
        row = batches.setdefault(
            batch,
            {
                "batch": batch,
                "at": event.at,
                "actor": event.actor,
                "cases": 0,
                "from": event.data.get("from_number"),
                "to": event.data.get("to_number"),
                "back": bool(event.data.get("back_of")),
            },
        )
        row["cases"] += 1
    return list(batches.values())[:10]


@login_required
def versions(request, key):
    definition = access.access_process_by_key(request.user, key)
    running = Q(cases__status=Case.Status.RUNNING)
    rows = list(
        definition.versions.select_related("deployed_by")
        .annotate(running=Count("cases", filter=running), total=Count("cases"))
        .order_by("-number")
    )
    for row, older in zip(rows, rows[1:] + [None], strict=True):
        row.previous = older
    return render(
        request,
        "designer/versions.html",
        {
            "definition": definition,
            "versions": rows,
            "latest": rows[0] if rows else None,
            "batches": recent_batches(definition),
            "may_migrate": access.can_design(request.user),
        },
    )


@login_required
def diff(request, key):
    definition = access.access_process_by_key(request.user, key)
    old, new = version_pair(request, definition)
    try:
        mapping, mapping_text = mapping_of(request)
        changes = version_diff(old, new, mapping)
    except EngineError as error:
        messages.error(request, str(error))
        mapping_text, changes = request.GET.get("map", ""), version_diff(old, new)
    markers = changes.markers
    diagrams = {
        "old": {"xml": old.bpmn_xml, "markers": markers["old"], "label": f"v{old.number}"},
        "new": {"xml": new.bpmn_xml, "markers": markers["new"], "label": f"v{new.number}"},
    }
    return render(
        request,
        "designer/versions_diff.html",
        {
            "definition": definition,
            "old": old,
            "new": new,
            "diff": changes,
            "diagrams": diagrams,
            "mapping_text": mapping_text,
            "numbers": definition.versions.order_by("-number").values_list("number", flat=True),
        },
    )


@login_required
def migrate(request, key):
    """GET: the dry run. POST: move the cases listed (those the dry run found movable)."""
    definition = access.access_process_by_key(request.user, key)
    access.access_migration(request.user)
    old, new = version_pair(request, definition)
    verdicts, mapping_text, alignment = [], "", None
    try:
        mapping, mapping_text = mapping_of(request)
        if request.method == "POST":
            numbers = request.POST.getlist("case")
            report = do_migrate_cases(old, new, mapping=mapping, acting_user=request.user, numbers=numbers)
            tell(request, report, old, new)
            return redirect(f"{reverse('designer:versions', args=[key])}#batch-{report.batch}")
        alignment = align_versions(old, new, mapping)
        verdicts = dry_run(old, new, alignment=alignment)
    except EngineError as error:
        messages.error(request, str(error))
    return render(
        request,
        "designer/versions_migrate.html",
        {
            "definition": definition,
            "old": old,
            "new": new,
            "verdicts": verdicts,
            "movable": [v for v in verdicts if v.movable],
            "mapping_text": mapping_text,
            "renames": [(o, n, alignment.how.get(o, "")) for o, n in alignment.renamed.items()] if alignment else [],
        },
    )


def tell(request, report: MigrationReport, old, new) -> None:
    moved, refused, failed = len(report.migrated), len(report.refused), len(report.failed)
    messages.success(
        request,
        ngettext(
            "Migrated %(count)s case: v%(from)s → v%(to)s.", "Migrated %(count)s cases: v%(from)s → v%(to)s.", moved
        )
        % {"count": moved, "from": old.number, "to": new.number},
    )
    for number, reason in report.refused + report.failed:
        messages.warning(request, f"{number}: {reason}")
    if refused or failed:
        stayed = refused + failed
        messages.warning(
            request,
            ngettext(
                "%(count)s case stayed where it was (see above).",
                "%(count)s cases stayed where they were (see above).",
                stayed,
            )
            % {"count": stayed},
        )


@login_required
@require_POST
def migrate_back(request, key):
    """The way back: every case of one migration batch to the version it came from."""
    definition = access.access_process_by_key(request.user, key)
    access.access_migration(request.user)
    batch = request.POST.get("batch", "")
    known = Event.objects.filter(kind=Event.Kind.CASE_MIGRATED, version__definition=definition, data__batch=batch)
    if not BATCH.fullmatch(batch) or not known.exists():
        raise Http404(_("There is no such migration."))
    event = known.first()
    report = do_migrate_batch_back(batch, acting_user=request.user)
    tell(request, report, event.version, definition.versions.get(number=event.data["from_number"]))
    return redirect(f"{reverse('designer:versions', args=[key])}#batch-{report.batch}")
