"""Recompute the running rollup totals and completeness counts:

manage.py rebuild_rollups                  every campaign, one transaction each
manage.py rebuild_rollups --campaign CODE  one campaign

Safe while reports move: each campaign is locked for its rebuild (reports.locking), so
transitions wait for it rather than lose their change.
"""

from django.core.management.base import BaseCommand

from soket.reports import running
from soket.reports.management.commands.check_rollups import campaigns_named


class Command(BaseCommand):
    help = "Recompute the rollup totals and completeness counts from the reports."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="campaign code (default: every campaign)")

    def handle(self, *args, campaign=None, **options):
        for each in campaigns_named(campaign):
            totals, counts = running.rebuild(campaign=each)
            self.stdout.write(
                f"{each.code}: rewrote {totals} rollup totals and {counts} completeness counts"
            )
