"""Run every benchmark on the database DATABASE_URL names (SQLite under var/ by default).

Each benchmark runs in a throw-away database made beside the configured one (Django's
test-database machinery), so it never touches real data. Figures are printed, never asserted.
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

from bench import documents, hierarchy, reporting  # noqa: E402

BENCHMARKS = [hierarchy, reporting, documents]


def main() -> None:
    scale = int(os.environ.get("BENCH_GRASSROOTS", "135000"))
    print(f"Soket benchmarks on {connection.vendor}, {scale:,} grassroots units")
    keep = os.environ.get("BENCH_KEEP") == "1"  # to look into the built database afterwards
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for benchmark in BENCHMARKS:
            benchmark.run(scale=scale)
    finally:
        if keep:
            print(f"\nKept the benchmark database {connection.settings_dict['NAME']}.")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
