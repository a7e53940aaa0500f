from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "soket.surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # Reports run every reminder sweep but may not import the surveys (a layer above).
        from soket.reports.hooks import register_reminder_sweep
        from soket.surveys import reminders

        register_reminder_sweep(reminders.sweep)
