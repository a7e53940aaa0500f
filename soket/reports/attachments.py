"""Attaching files to a report: PDF, Word, Excel and images, checked by what they contain.

A file is accepted when it is no larger than SOKET_MAX_ATTACHMENT_BYTES, its name and
its first bytes agree on one of the allowed kinds, and its content bears that out
(`soket.core.filecheck`: Office files unpack safely, pictures decode and are not too
large). Files are stored under generated names and served only through the report's
permission check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.core import clock, filecheck
from soket.orgs.models import User
from soket.reports import workflow
from soket.reports.models import Attachment, Report
from soket.reports.services import ReportError, require_editable, require_permission


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    content_type: str
    magic: bytes
    zip_member: str = ""  # for Office files: a part every such file has
    image_format: str = ""  # for pictures: Pillow's name of the format

    def check(self, upload: UploadedFile) -> None:
        """Refuse what only looks like this kind (FileRefused), reading little at a time."""
        if self.zip_member:
            filecheck.check_zip(upload, members=(self.zip_member,))
        elif self.image_format:
            filecheck.check_image(upload, expected=self.image_format)


KINDS = [
    Kind((".pdf",), "application/pdf", b"%PDF-"),
    Kind((".png",), "image/png", b"\x89PNG\r\n\x1a\n", image_format="PNG"),
    Kind((".jpg", ".jpeg"), "image/jpeg", b"\xff\xd8\xff", image_format="JPEG"),
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


def kind_of(name: str, head: bytes) -> Kind | None:
    """The allowed kind that both the file's name and its first bytes announce."""
    for kind in KINDS:
        if name.lower().endswith(kind.extensions) and head.startswith(kind.magic):
            return kind
    return None


def attachment_add(*, report: Report, by: User, upload: UploadedFile) -> Attachment:
    """Attach a file once its size and its content say it is what its name says.

    The content is checked before the transaction (unpacking or decoding a large file
    takes a moment, and no write should wait on it)."""
    require_permission(workflow.can_edit(by, report))
    require_editable(report)
    kind = _checked_kind(upload)
    return _attachment_keep(report=report, by=by, upload=upload, kind=kind)


def _checked_kind(upload: UploadedFile) -> Kind:
    try:
        # Django gives every uploaded file its size and name (the types allow None).
        filecheck.check_size(upload.size or 0, limit=settings.SOKET_MAX_ATTACHMENT_BYTES)
        upload.seek(0)
        kind = kind_of(upload.name or "", upload.read(16))
        upload.seek(0)
        if kind is None:
            raise filecheck.FileRefused(
                _("It is not a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file.")
            )
        kind.check(upload)
    except filecheck.FileRefused as refused:
        raise ReportError(
            _("“%(name)s” was not attached: %(reason)s") % {"name": upload.name, "reason": refused}
        ) from None
    return kind


@transaction.atomic
def _attachment_keep(*, report: Report, by: User, upload: UploadedFile, kind: Kind) -> Attachment:
    report = Report.objects.select_for_update().get(pk=report.pk)
    require_editable(report)  # again: it may have been sent meanwhile
    attachment = Attachment(
        report=report,
        name=(upload.name or "")[-200:],
        content_type=kind.content_type,
        size=upload.size or 0,
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
    require_permission(workflow.can_edit(by, report))
    require_editable(report)
    audit.record(by=by, action="detach", instance=report, before={"attachment": attachment.name})
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
