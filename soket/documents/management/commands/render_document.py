"""Produce any official document from the command line, for offices that script them:

manage.py render_document --campaign CODE --kind plan --format pdf --output ke-hoach.pdf
manage.py render_document --campaign CODE --kind consolidated --unit LS --output bc.docx
manage.py render_document --campaign CODE --kind table --unit LS --output bang.xlsx
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from soket.campaigns.models import Campaign
from soket.documents import content, export, generate, pdf, word
from soket.documents.jobs import FORMATS
from soket.documents.models import DocumentJob, DocumentKind
from soket.orgs.models import Department, Unit
from soket.reports.models import Report

TABLE = "table"
# Each kind as the background runner knows it, whose formats (jobs.FORMATS) it is made in.
WHAT = {
    DocumentKind.PLAN: DocumentJob.What.PLAN,
    DocumentKind.OUTLINE: DocumentJob.What.OUTLINE,
    DocumentKind.REPORT: DocumentJob.What.REPORT,
    DocumentKind.CONSOLIDATED: DocumentJob.What.REPORT,
    DocumentKind.DEPARTMENT: DocumentJob.What.REPORT,
    TABLE: DocumentJob.What.TABLE,
}


class Command(BaseCommand):
    help = "Render a plan, outline, report, consolidated report or table to a file."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign code")
        parser.add_argument(
            "--kind", required=True, choices=[*DocumentKind.values, TABLE], help="which document"
        )
        parser.add_argument("--unit", help="unit code (reports and tables)")
        parser.add_argument("--department", help="department code (department reports)")
        parser.add_argument(
            "--format",
            choices=sorted({f for formats in FORMATS.values() for f in formats}),
            help="docx or pdf for documents (docx if not given), xlsx for the table",
        )
        parser.add_argument("--output", required=True, help="file to write")

    def handle(self, *args, **options):
        kind = options["kind"]
        formats = FORMATS[WHAT[kind]]
        file_format = options["format"] or formats[0]
        if file_format not in formats:
            raise CommandError(
                f"--kind {kind} is made as {' or '.join(formats)}, not {file_format}."
            )
        try:
            campaign = Campaign.objects.get(code=options["campaign"])
        except Campaign.DoesNotExist:
            raise CommandError(f"No campaign with code {options['campaign']!r}.") from None
        if options["department"] and kind != DocumentKind.DEPARTMENT:
            raise CommandError("--department goes with --kind department only.")
        output = Path(options["output"])
        if output.is_dir() or not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: name a file in an existing folder.")
        if kind == TABLE:
            # Everything is checked before the file is opened: a refusal leaves it alone.
            within = self._unit(options)
            if campaign.is_deployment:
                raise CommandError("Reports are written under the plan this one deploys.")
            with self._opened(output) as handle:
                rows = export.consolidated_table(campaign=campaign, within=within, output=handle)
            self.stdout.write(f"{output}: {rows} units")
            return
        composition = self._composition(campaign, kind, options)
        try:
            data = generate.document_bytes(composition, file_format)
        except (pdf.PdfUnavailable, word.TemplateProblem) as problem:
            raise CommandError(str(problem)) from None
        with self._opened(output) as handle:
            handle.write(data)
        self.stdout.write(f"{output}: {len(data)} bytes")

    def _opened(self, output: Path):
        try:
            return output.open("wb")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None

    def _unit(self, options) -> Unit:
        if not options["unit"]:
            raise CommandError("--unit is required for this kind.")
        try:
            return Unit.objects.get(code=options["unit"])
        except Unit.DoesNotExist:
            raise CommandError(f"No unit with code {options['unit']!r}.") from None

    def _composition(self, campaign: Campaign, kind: str, options) -> content.Composition:
        if kind == DocumentKind.PLAN:
            return content.plan_document(campaign)
        if kind == DocumentKind.OUTLINE:
            return content.outline_document(campaign)
        unit = self._unit(options)
        department = None
        if kind == DocumentKind.DEPARTMENT:
            try:
                department = Department.objects.get(unit=unit, code=options["department"] or "")
            except Department.DoesNotExist:
                raise CommandError("--department must name a department of the unit.") from None
        try:
            report = Report.objects.get(campaign=campaign, unit=unit, department=department)
        except Report.DoesNotExist:
            raise CommandError(f"{unit} has no report in this campaign yet.") from None
        if kind == DocumentKind.CONSOLIDATED:
            return content.consolidated_document(report)
        return content.report_document(report)
