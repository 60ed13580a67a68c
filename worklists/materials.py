"""Application materials: stored privately, checked by content, never at a guessable URL.

Files go to MATERIALS_ROOT (outside any static or media URL) under a random name; they are
served only by the case page's download view, which asks the access gate first. The type is
decided by the file's first bytes, not its name or the browser's claim: a renamed .exe is refused.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.translation import gettext as _

# Three formats cover scanned and photographed material; their signatures are fixed.
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}


class MaterialError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def human_size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(n // 1024, 1)} KB"


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.MATERIALS_ROOT, base_url=None)


def check_upload(upload) -> CheckedFile:
    """Refuse empty, oversized and unknown files with a message the applicant understands."""
    limit = settings.MATERIAL_MAX_BYTES
    if upload.size == 0:
        raise MaterialError(_("'%(name)s' is empty.") % {"name": upload.name})
    if upload.size > limit:
        size, most = human_size(upload.size), human_size(limit)
        raise MaterialError(
            _("'%(name)s' is %(size)s; the limit is %(most)s.") % {"name": upload.name, "size": size, "most": most}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, (content_type, extension) in SIGNATURES.items():
        if head.startswith(signature):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            return CheckedFile(content_type, extension, upload.size, digest.hexdigest())
    raise MaterialError(_("'%(name)s' is not a PDF, JPEG or PNG file.") % {"name": upload.name})


def store(upload, checked: CheckedFile) -> str:
    """Save under a random name; returns the storage name. The caller deletes it on rollback."""
    name = f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{checked.extension}"
    return private_storage().save(name, upload)


def delete_quietly(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            pass
