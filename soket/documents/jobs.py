"""Documents made in the background: every PDF, every consolidated report and the
consolidated table.

A PDF takes LibreOffice seconds to a minute, and the national table a quarter of a
minute: in a web request that would hold a worker that others are waiting for, and
past gunicorn's timeout the worker is killed with the document half made. So a page
asks for the document (`job_request`), the background runner makes it (`job_run`, run
by the task `make_document`), and the page polls until the file is ready. Light
documents — a plan, an outline or one unit's report as Word — are made at once.

Jobs are machinery, not part of the review: they are timed by the real clock, even
where the demo simulates the date.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from soket.campaigns.access import visible_campaigns
from soket.campaigns.models import Campaign
from soket.core import filecheck
from soket.documents import content, export, generate, pdf, word
from soket.documents.models import DocumentJob
from soket.orgs import access
from soket.orgs.models import Unit, User
from soket.reports import workflow
from soket.reports.models import Report

logger = logging.getLogger(__name__)

What = DocumentJob.What
State = DocumentJob.State
XLSX = "xlsx"
FORMATS: dict[str, tuple[str, ...]] = {
    What.PLAN: (generate.DOCX, generate.PDF),
    What.OUTLINE: (generate.DOCX, generate.PDF),
    What.REPORT: (generate.DOCX, generate.PDF),
    What.TABLE: (XLSX,),
}


class JobRefused(Exception):
    """A document that cannot be asked for; the message says why."""


def made_in_background(*, what: str, file_format: str, report: Report | None = None) -> bool:
    """Whether a document is made by the background runner rather than in the request:
    every PDF, the consolidated table, and a report that consolidates the units below or
    holds pictures (each is drawn again, which can take a second and 200 MB)."""
    if file_format == generate.PDF or what == What.TABLE:
        return True
    if what != What.REPORT or report is None:
        return False
    pictures = report.attachments.filter(content_type__in=list(filecheck.IMAGE_FORMATS))
    return content.report_has_annex(report) or pictures.exists()


def _filename(*, what: str, file_format: str, campaign: Campaign, report, unit) -> str:
    if what == What.TABLE:
        return f"bang-tong-hop-{unit.code}-{campaign.code}.{file_format}"
    if what == What.REPORT:
        return f"{content.report_composition(report).filename}.{file_format}"
    base = content.plan_document if what == What.PLAN else content.outline_document
    return f"{base(campaign).filename}.{file_format}"


@transaction.atomic
def job_request(
    *,
    by: User,
    what: str,
    file_format: str,
    campaign: Campaign,
    report: Report | None = None,
    unit: Unit | None = None,
) -> DocumentJob:
    """Ask the background runner for a document; the same request made again while the
    first is still waiting or being made (a double click) gets the same job, and nobody
    has more than SOKET_DOCUMENT_JOBS_PER_PERSON waiting at once."""
    if file_format not in FORMATS.get(what, ()):
        raise JobRefused(_("This document is not made in that format."))
    # Only what the document is about, so that the same document is the same job.
    if what != What.REPORT:
        report = None
    if what != What.TABLE:
        unit = None
    if file_format == generate.PDF and pdf.missing():
        raise JobRefused(pdf.missing())
    _require_visible(by, campaign=campaign, report=report, unit=unit)
    if (what == What.REPORT and report is None) or (what == What.TABLE and unit is None):
        raise JobRefused(_("Say which report or unit the document is for."))
    if report is not None and report.campaign_id != campaign.pk:
        raise PermissionDenied
    if what == What.TABLE and campaign.is_deployment:
        raise JobRefused(_("Reports are written under the plan this one deploys."))
    _prune()
    # One request of a person at a time: two clicks at once make one job, and the
    # limit below cannot be passed by asking in parallel.
    User.objects.select_for_update().filter(pk=by.pk).first()
    key = {
        "requested_by": by,
        "what": what,
        "file_format": file_format,
        "campaign": campaign,
        "report": report,
        "unit": unit,
    }
    same = DocumentJob.objects.filter(**key, state__in=[State.QUEUED, State.RUNNING]).first()
    if same is not None:
        return same
    waiting = jobs_for(user=by).filter(state__in=[State.QUEUED, State.RUNNING]).count()
    if waiting >= settings.SOKET_DOCUMENT_JOBS_PER_PERSON:
        raise JobRefused(
            _(
                "%d of your documents are still waiting to be made: ask for more once "
                "they are ready."
            )
            % waiting
        )
    job = DocumentJob.objects.create(
        **key,
        filename=_filename(
            what=what, file_format=file_format, campaign=campaign, report=report, unit=unit
        ),
        requested_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: DocumentJob) -> None:
    from soket.documents.tasks import make_document

    make_document.enqueue(str(job.pk))


def _require_visible(by: User, *, campaign: Campaign, report, unit) -> None:
    if not visible_campaigns(by).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    if report is not None and not workflow.visible_reports(by).filter(pk=report.pk).exists():
        raise PermissionDenied
    if unit is not None and not access.visible_units(by).filter(pk=unit.pk).exists():
        raise PermissionDenied


def job_run(*, job_id: str) -> str:
    """Make the document of a job; safe to run twice (a worker lost mid-way runs it again)
    and never raises for what a person can fix: the job says it failed and why."""
    changed = DocumentJob.objects.filter(pk=job_id, state__in=[State.QUEUED, State.RUNNING]).update(
        state=State.RUNNING, started_at=timezone.now(), message=""
    )
    if not changed:
        return "nothing to do"
    job = DocumentJob.objects.select_related("campaign", "report", "unit").get(pk=job_id)
    try:
        _make(job)
    except (pdf.PdfUnavailable, word.TemplateProblem) as problem:
        _finish(job, State.FAILED, message=str(problem))
        return "failed"
    except Exception:
        logger.exception("Document job %s failed", job.pk)
        _finish(
            job,
            State.FAILED,
            message=_("Something went wrong while making it. Try again; if it fails "
                      "again, tell your administrator."),
        )  # fmt: skip
        raise
    _finish(job, State.READY)
    return "ready"


def _make(job: DocumentJob) -> None:
    if job.what == What.TABLE:
        # Streamed to a temporary file, never held whole in memory.
        if job.unit is None:  # job_request asks a table's unit; the job fails without one
            raise ValueError(f"Document job {job.pk} is a table with no unit")
        with tempfile.TemporaryFile() as output:
            export.consolidated_table(campaign=job.campaign, within=job.unit, output=output)
            output.seek(0)
            job.file.save(str(job.pk), File(output), save=False)
        return
    if job.what == What.REPORT:
        if job.report is None:  # job_request asks a report; the job fails without one
            raise ValueError(f"Document job {job.pk} is a report document with no report")
        composition = content.report_composition(job.report)
    elif job.what == What.PLAN:
        composition = content.plan_document(job.campaign)
    else:
        composition = content.outline_document(job.campaign)
    data = generate.document_bytes(composition, job.file_format)
    job.file.save(str(job.pk), ContentFile(data), save=False)


def _finish(job: DocumentJob, state: str, *, message: str = "") -> None:
    DocumentJob.objects.filter(pk=job.pk).update(
        state=state, message=message, file=job.file.name or "", finished_at=timezone.now()
    )


def _prune() -> None:
    """Forget the documents made more than SOKET_DOCUMENT_KEEP_HOURS ago, files and all;
    the files go once the rows' deletion has committed."""
    since = timezone.now() - datetime.timedelta(hours=settings.SOKET_DOCUMENT_KEEP_HOURS)
    old = DocumentJob.objects.filter(requested_at__lt=since)
    files = [name for name in old.exclude(file="").values_list("file", flat=True)]
    old.delete()
    storage = DocumentJob._meta.get_field("file").storage

    def delete_files() -> None:
        for name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)


# Reading them.


def jobs_for(*, user: User) -> QuerySet[DocumentJob]:
    return DocumentJob.objects.filter(requested_by=user)


def job_for(*, user: User, pk: uuid.UUID) -> DocumentJob:
    """The person's own job, while they may still see what it is about."""
    job = jobs_for(user=user).select_related("campaign", "report", "unit").get(pk=pk)
    try:
        _require_visible(user, campaign=job.campaign, report=job.report, unit=job.unit)
    except PermissionDenied:
        raise DocumentJob.DoesNotExist from None
    return job


# Past this, a document still waiting says so: the runner may be busy, or stopped.
LONG_WAIT = datetime.timedelta(minutes=1)


def waiting_long(job: DocumentJob) -> bool:
    """Whether a document not yet made was asked for longer ago than documents take."""
    return not job.is_finished and timezone.now() - job.requested_at > LONG_WAIT


def queue_position(job: DocumentJob) -> int:
    """How many documents wait before this one (0 once it is being made)."""
    if job.state != State.QUEUED:
        return 0
    return DocumentJob.objects.filter(state=State.QUEUED, requested_at__lt=job.requested_at).count()
