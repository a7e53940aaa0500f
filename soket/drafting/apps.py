from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftingConfig(AppConfig):
    name = "soket.drafting"
    verbose_name = _("Drafting")

    def ready(self) -> None:
        # A report whose adoption is recorded goes up as adopted, by whatever door.
        from soket.drafting.services import submit_guard
        from soket.reports.hooks import register_submit_guard

        register_submit_guard(submit_guard)
