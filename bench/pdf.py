"""PDF in about a second: the demo province's consolidated report as PDF, made by the
resident converter (a LibreOffice kept running, `manage.py office_server`) and by a
LibreOffice started for the document (the fallback, and the only way before), in the
same run, several times each.

Each figure is the whole PDF from the report, as the background runner makes it:
content.report_composition, the .docx and the conversion; the .docx alone is timed
beside them. The demo is loaded (soket.demo.loader.load_demo, as the tests load it) in a
transaction rolled back at the end, so the national tree is left as it was. The resident
converter is started as the tests start it (`office_server.aside`: `manage.py
office_server` in a child process, with a socket and run folder of its own); the number of
documents it says it converted shows that every resident run was its.
"""

import statistics
import time
from collections.abc import Callable

from django.db import transaction
from django.test import override_settings

from soket.demo import data
from soket.demo.loader import load_demo
from soket.documents import content, generate, office_server, pdf
from soket.reports.models import Report

RUNS = 7


def _seconds(call: Callable[[], bytes], runs: int = RUNS) -> tuple[list[float], bytes]:
    durations, result = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        durations.append(time.perf_counter() - start)
    return durations, result


def _line(label: str, durations: list[float]) -> None:
    print(
        f"  {label:<58} median {statistics.median(durations):6.2f} s   "
        f"min {min(durations):6.2f} s   max {max(durations):6.2f} s   ({len(durations)} runs)"
    )


def run(*, scale: int) -> None:
    print("\nPDF of the demo province's consolidated report")
    problem = pdf.missing()
    if problem:
        print(f"  skipped: {problem}")
        return
    with transaction.atomic():
        load_demo()
        report = Report.objects.get(
            campaign__code=data.CAMPAIGN["code"], unit__code="LS", department__isnull=True
        )

        def make_pdf() -> bytes:
            return generate.document_bytes(content.report_composition(report), generate.PDF)

        docx, _made = _seconds(lambda: generate.docx_bytes(content.report_composition(report)))
        _line("the .docx alone (composition and Word)", docx)
        try:
            with office_server.aside(check_every=5):
                before = office_server.status()
                make_pdf()  # the first document a LibreOffice opens loads its filters
                resident, made = _seconds(make_pdf)
                after = office_server.status()
        except office_server.SupervisorRefused as refused:
            print(f"  resident converter: cannot run here ({refused})")
            resident = []
        with override_settings(SOKET_OFFICE_SERVER=""):
            one_shot, made = _seconds(make_pdf)
        if resident:
            counted = after["conversions"] - before["conversions"] - 1
            _line("PDF through the resident converter", resident)
            print(f"    converted by the resident LibreOffice: {counted} of {len(resident)}")
        _line("PDF through a LibreOffice of its own (one-shot)", one_shot)
        print(f"    {len(made) / 1024:.0f} kB, goal: resident ≤ 1.5 s")
        transaction.set_rollback(True)
