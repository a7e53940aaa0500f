from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "soket.reports"

    def ready(self) -> None:
        from soket.campaigns import hooks as campaign_hooks
        from soket.orgs import hooks as tree_hooks
        from soket.reports.following import CampaignFollower, TreeFollower

        tree_hooks.follow(TreeFollower())
        campaign_hooks.follow(CampaignFollower())
