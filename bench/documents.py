"""Official documents at scale: the province's consolidated report as .docx, and the
national consolidated table as .xlsx, exported by `render_document` in a child process
so that its peak memory is its own.

The child reports its peak itself (VmHWM, Linux): getrusage(RUSAGE_CHILDREN) would count
the pages the child shared with this process before it exec'd, i.e. this process's size.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from bench.timing import timed
from soket.campaigns.models import Campaign
from soket.documents import content, generate
from soket.orgs.models import Unit
from soket.reports.models import Report

ROOT = Path(__file__).resolve().parents[1]
# Runs manage.py with the arguments after it, then prints its own peak resident size in kB.
REPORT_PEAK = """
import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM")), file=sys.stderr)
"""


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def run(*, scale: int) -> None:
    print("\nDocuments")
    campaign = Campaign.objects.order_by("-pk").first()
    province = Unit.objects.get(code="P31")
    report = Report.objects.get(campaign=campaign, unit=province, department__isnull=True)
    children = province.children.count()
    timed(
        f"consolidated report of a province as .docx ({children} units in the annex)",
        lambda: generate.docx_bytes(content.consolidated_document(report)),
        repeat=5,
    )

    connection.close()  # the child reads the same database; SQLite wants no open writer
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "bang.xlsx"
        command = [
            sys.executable, "-c", REPORT_PEAK, "manage.py", "render_document",
            "--campaign", campaign.code, "--kind", "table", "--unit", "TLD",
            "--output", str(output),
        ]  # fmt: skip
        start = time.perf_counter()
        finished = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": _database_url()},
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        if finished.returncode:
            print(finished.stderr[-2000:])
            raise SystemExit("the export failed")
        peak = int(finished.stderr.strip().splitlines()[-1]) / 1024
        size = output.stat().st_size / 1024 / 1024
        print(
            f"  {'national consolidated table as .xlsx (whole process)':<58} "
            f"{seconds:9.2f} s    peak {peak:.0f} MB   file {size:.1f} MB"
        )
        print(f"  {finished.stdout.strip()}")
