from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from soket.audit.models import Entry
from soket.reports import services
from soket.reports.models import Report
from soket.reports.services import FigureInput
from soket.resolutions.models import Target
from soket.testing import CampaignTestCase, make_user


class AuditTrailTestCase(CampaignTestCase):
    def entries(self, instance):
        return Entry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
        ).order_by("pk")

    def test_a_report_save_records_who_and_what_changed(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_save(
            report=report, by=self.alice, revision=report.revision,
            figures={self.t_sum.pk: FigureInput(value=Decimal(7))},
        )  # fmt: skip
        [entry] = self.entries(report)
        self.assertEqual((entry.by, entry.action), (self.alice, "save"))
        self.assertEqual(entry.before["figures"], {})
        self.assertEqual(entry.after["figures"]["S"]["value"], "7")

    def test_a_save_that_changes_nothing_leaves_no_entry(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_save(report=report, by=self.alice, revision=report.revision)
        self.assertFalse(self.entries(report).exists())

    def test_transitions_are_in_the_trail(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        services.report_return(report=report, by=self.province_approver, reason="Bổ sung")
        trail = [(e.action, e.before, e.after) for e in self.entries(report)]
        self.assertEqual(
            trail[0], ("submit", {"state": "draft"}, {"state": "submitted", "reason": ""})
        )
        self.assertEqual(trail[1][2], {"state": Report.State.RETURNED, "reason": "Bổ sung"})

    def test_a_target_changed_in_the_back_office_is_recorded_before_and_after(self):
        admin = make_user("root")
        admin.is_superuser = admin.is_staff = True
        admin.save()
        self.client.force_login(admin)
        url = reverse("admin:resolutions_target_change", args=[self.t_sum.pk])
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(
            goal_value="150", derived_from=[], programme="", baseline_value="", baseline_year=""
        )
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        [entry] = self.entries(Target.objects.get(pk=self.t_sum.pk))
        self.assertEqual(entry.before["goal_value"], "100.0000")
        self.assertEqual(entry.after["goal_value"], "150.0000")
        self.assertEqual(entry.by, admin)
