"""Check that the running rollup totals and completeness counts equal a recomputation:

manage.py check_rollups                  every campaign
manage.py check_rollups --campaign CODE  one campaign

Exits with status 1 and names every difference (campaign, unit, target or kind) when
they do not; `manage.py rebuild_rollups` repairs them.
"""

from django.core.management.base import BaseCommand, CommandError

from soket.campaigns.models import Campaign
from soket.reports import counts, running


def campaigns_named(code: str | None):
    """The campaign of that code, or every campaign."""
    if code is None:
        return list(Campaign.objects.order_by("pk"))
    try:
        return [Campaign.objects.get(code=code)]
    except Campaign.DoesNotExist:
        raise CommandError(f"No campaign with code {code!r}.") from None


class Command(BaseCommand):
    help = "Compare the rollup totals and completeness counts with a recomputation."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="campaign code (default: every campaign)")

    def handle(self, *args, campaign=None, **options):
        wrong = 0
        for each in campaigns_named(campaign):
            differences = running.drift(campaign=each)
            for difference in differences:
                self.stdout.write(f"{each.code}: {difference}")
            wrong += len(differences)
            if not counts.is_counted(each.pk):
                self.stdout.write(
                    f"{each.code}: completeness counts not built yet (built "
                    "when first read, or by rebuild_rollups)"
                )
            elif not differences:
                self.stdout.write(f"{each.code}: rollup totals and completeness counts agree")
        if wrong:
            raise CommandError(
                f"{wrong} differences; `manage.py rebuild_rollups` recomputes them.",
                returncode=1,
            )
