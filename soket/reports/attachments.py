"""Attaching files to a report: PDF, Word, Excel and images, checked by what they contain.

A file is accepted when its name and its first bytes agree on one of the allowed kinds,
and it is no larger than SOKET_MAX_ATTACHMENT_BYTES. Files are stored under generated
names and served only through the report's permission check.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from soket import access
from soket.audit import services as audit
from soket.core import clock
from soket.orgs.models import User
from soket.reports.models import Attachment, Report
from soket.reports.services import ReportError, require_editable, require_permission


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    content_type: str
    magic: bytes
    zip_member: str = ""  # for Office files: a part every such file has


KINDS = [
    Kind((".pdf",), "application/pdf", b"%PDF-"),
    Kind((".png",), "image/png", b"\x89PNG\r\n\x1a\n"),
    Kind((".jpg", ".jpeg"), "image/jpeg", b"\xff\xd8\xff"),
    Kind(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        "word/document.xml",
    ),
    Kind(
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        "xl/workbook.xml",
    ),
]


def kind_of(name: str, head: bytes, content: bytes) -> Kind | None:
    for kind in KINDS:
        if not name.lower().endswith(kind.extensions) or not head.startswith(kind.magic):
            continue
        if kind.zip_member:
            try:
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    if kind.zip_member not in archive.namelist():
                        return None
            except zipfile.BadZipFile:
                return None
        return kind
    return None


@transaction.atomic
def attachment_add(*, report: Report, by: User, upload: UploadedFile) -> Attachment:
    require_permission(access.can_edit_report(by, report))
    report.refresh_from_db()
    require_editable(report)
    if upload.size > settings.SOKET_MAX_ATTACHMENT_BYTES:
        raise ReportError(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": upload.name, "mb": settings.SOKET_MAX_ATTACHMENT_BYTES // 2**20}
        )
    content = upload.read()
    kind = kind_of(upload.name, content[:16], content)
    if kind is None:
        raise ReportError(
            _("“%s” is not a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file.") % upload.name
        )
    upload.seek(0)
    attachment = Attachment(
        report=report,
        name=upload.name[-200:],
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=by,
        uploaded_at=clock.now(),
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    audit.record(by=by, action="attach", instance=report, after={"attachment": attachment.name})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    report = attachment.report
    require_permission(access.can_edit_report(by, report))
    require_editable(report)
    audit.record(by=by, action="detach", instance=report, before={"attachment": attachment.name})
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
