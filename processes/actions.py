"""The write path for specs: deploying a file as a new, immutable process version."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from engine.events import record_event
from worklists.models import Department

from .bpmn_file import BpmnFileError, executable_processes, read_bpmn
from .elements import describe_process
from .models import ProcessDefinition, ProcessVersion
from .names import split_bilingual
from .validation import validate


@dataclass
class DeployResult:
    version: ProcessVersion
    created: bool

    def describe(self) -> str:
        v = self.version
        values = {"key": v.definition.key, "number": v.number, "sha": v.sha256[:12]}
        if self.created:
            return _("deployed %(key)s version %(number)s (%(sha)s)") % values
        return _("unchanged: %(key)s version %(number)s already has this file (%(sha)s)") % values


def do_deploy_version(data: bytes, filename: str, *, acting_user=None) -> DeployResult:
    """Validate and deploy. The same bytes again are a no-op; changed bytes become version N+1.

    Raises BpmnFileError with every problem found; nothing is stored then.
    """
    file = read_bpmn(data, filename)
    existing = ProcessVersion.objects.filter(sha256=file.sha256).select_related("definition").first()
    if existing:
        return DeployResult(existing, created=False)
    problems = validate(file)
    if problems:
        raise BpmnFileError(problems)
    process = executable_processes(file.root)[0]
    elements = describe_process(process)
    with transaction.atomic():
        definition, _created = ProcessDefinition.objects.get_or_create(
            key=elements["process_id"], defaults={"name": elements["process_name"]}
        )
        # Lock the definition so that two deploys of the same key cannot both take number N+1.
        definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
        if definition.name != elements["process_name"]:  # the newest file names the process
            definition.name = elements["process_name"]
            definition.save(update_fields=["name"])
        latest = definition.versions.order_by("-number").first()
        version = ProcessVersion.objects.create(
            definition=definition,
            number=(latest.number + 1) if latest else 1,
            sha256=file.sha256,
            filename=filename,
            bpmn_xml=file.text,
            dialect=file.dialect,
            elements=elements,
            deployed_by=acting_user,
        )
        for code, name in elements["departments"].items():
            chinese, english = split_bilingual(name)
            Department.objects.get_or_create(code=code, defaults={"name": chinese, "name_en": english})
        record_event(
            "version_deployed", version=version, actor=acting_user, data={"sha256": file.sha256, "filename": filename}
        )
    return DeployResult(version, created=True)


def lint_bytes(data: bytes, filename: str) -> list:
    """The problems of a file, without storing anything (``manage.py lint``)."""
    try:
        file = read_bpmn(data, filename)
    except BpmnFileError as error:
        return error.problems
    return validate(file)
