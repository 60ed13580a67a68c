"""The write path of the workbench: saving and importing drafts, deploying what the modeler holds.

A draft must be a readable BPMN file (the size limit, no DOCTYPE, a bpmn:definitions root: the
same safe reading as every other file) but may fail validation: it is work in progress.
Deploying goes through processes.actions.do_deploy_version, which validates, keeps the file's
dialect (Camunda or SpiffArena) and makes the new version.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.actions import DeployResult, do_deploy_version
from processes.bpmn_file import BpmnFile, bpmn, executable_processes, read_bpmn
from processes.models import ProcessVersion

from .models import Draft


class DraftConflict(Exception):
    """Someone saved the draft after this editor loaded it."""

    def __init__(self, draft: Draft):
        super().__init__(
            _("%(who)s saved the draft at %(at)s in the meantime (revision %(revision)s): reopen it before saving.")
            % {
                "who": draft.updated_by.username if draft.updated_by else "?",
                "at": f"{timezone.localtime(draft.updated_at):%Y-%m-%d %H:%M}",
                "revision": draft.revision,
            }
        )
        self.draft = draft


def process_of(file: BpmnFile) -> tuple[str, str]:
    """(key, name) of the file's executable process, else of its first process, else blank."""
    processes = executable_processes(file.root) or bpmn(file.root, "bpmn:process")
    if not processes:
        return "", ""
    process = processes[0]
    return (process.get("id") or "")[:128], (process.get("name") or process.get("id") or "")[:200]


def do_save_draft(
    xml: str,
    *,
    acting_user,
    draft_id: int | None = None,
    revision: int | None = None,
    filename: str = "",
    based_on: ProcessVersion | None = None,
) -> Draft:
    """Create a draft (no ``draft_id``) or save over one; raises BpmnFileError, DraftConflict."""
    data = xml.encode("utf-8")
    file = read_bpmn(data, filename or "draft.bpmn")
    key, name = process_of(file)
    fields = {"bpmn_xml": file.text, "process_key": key, "name": name, "updated_by": acting_user}
    if draft_id is None:
        return Draft.objects.create(**fields, filename=filename[:255], based_on=based_on, author=acting_user)
    with transaction.atomic():
        # A conditional UPDATE: of two designers saving revision n, exactly one moves it to n + 1.
        saved = Draft.objects.filter(pk=draft_id, revision=revision).update(
            **fields, revision=F("revision") + 1, updated_at=timezone.now()
        )
        draft = Draft.objects.select_related("updated_by").get(pk=draft_id)
    if not saved:
        raise DraftConflict(draft)
    return draft


def do_import_draft(data: bytes, filename: str, *, acting_user) -> Draft:
    """A file from Camunda Modeler, SpiffArena or any BPMN tool becomes a draft, unchanged."""
    file = read_bpmn(data, filename)  # the safe reading refuses DOCTYPEs and oversized files
    return do_save_draft(file.text, acting_user=acting_user, filename=filename.rsplit("/", 1)[-1])


def do_deploy_from_modeler(xml: str, *, acting_user, draft: Draft | None = None) -> DeployResult:
    """Deploy the modeler's XML as a new version; a draft it came from remembers the version.

    Raises BpmnFileError with every problem; nothing is stored then.
    """
    data = xml.encode("utf-8")
    key = process_of(read_bpmn(data, "modeler.bpmn"))[0]
    filename = (draft.filename if draft and draft.filename else f"{key or 'process'}.bpmn")[:255]
    with transaction.atomic():
        result = do_deploy_version(data, filename, acting_user=acting_user)
        if draft is not None:
            Draft.objects.filter(pk=draft.pk).update(deployed_as=result.version)
    return result
