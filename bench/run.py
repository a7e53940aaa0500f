"""Run every benchmark on the database DATABASE_URL names (SQLite under var/ by default).

Each benchmark runs in a throw-away database made beside the configured one (Django's
test-database machinery), so it never touches real data. Figures are printed, never asserted.

BENCH_GRASSROOTS sets the size (135,000 grassroots units; 400,000 for the national worst
case, whose build takes a few minutes more), BENCH_ONLY=completeness,reporting picks
benchmarks (the tree is always built; documents needs reporting; pdf loads the demo beside
the tree and rolls it back, and times the resident converter), BENCH_KEEP=1 keeps the
database. deployments runs only when BENCH_ONLY names it: it deploys a plan for each of
693 districts through the services (about 11 minutes at 20,000 grassroots units, 23 at
135,000). The deadline-day load test is its own script: bench/deadline_day.py.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soket.settings")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    # A file, not memory: SQLite's real cost includes the disk.
    os.environ.setdefault("TEST_DATABASE_NAME", str(ROOT / "var" / "bench.sqlite3"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench import (  # noqa: E402
    analysis,
    completeness,
    dashboard,
    deployments,
    documents,
    hierarchy,
    lessons,
    pdf,
    reporting,
    surveys,
)

# In this order: each builds on the tree the first one builds.
BENCHMARKS = {
    "hierarchy": hierarchy,
    "completeness": completeness,
    "reporting": reporting,
    "analysis": analysis,
    "dashboard": dashboard,
    "lessons": lessons,
    "surveys": surveys,
    "documents": documents,
    "pdf": pdf,
    "deployments": deployments,
}
ON_REQUEST = {"deployments"}  # run only when BENCH_ONLY names them


def main() -> None:
    scale = int(os.environ.get("BENCH_GRASSROOTS", "135000"))
    # e.g. BENCH_ONLY=completeness for the completeness pages alone (the tree is always built).
    only = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
    chosen = [
        module
        for name, module in BENCHMARKS.items()
        if name == "hierarchy" or name in only or (not only and name not in ON_REQUEST)
    ]
    print(f"Soket benchmarks on {connection.vendor}, {scale:,} grassroots units")
    keep = os.environ.get("BENCH_KEEP") == "1"  # to look into the built database afterwards
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for benchmark in chosen:
            benchmark.run(scale=scale)
    finally:
        if keep:
            print(f"\nKept the benchmark database {connection.settings_dict['NAME']}.")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
