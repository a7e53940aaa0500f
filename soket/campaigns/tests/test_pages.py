"""Writing, issuing and amending a plan on its pages, as its administrator does."""

from __future__ import annotations

import dataclasses
import datetime

from django import forms
from django.urls import reverse

from soket.campaigns import parts, services
from soket.campaigns.models import Amendment, Campaign, Deadline
from soket.documents import content
from soket.orgs.models import Role
from soket.testing import CampaignTestCase, make_user

D = datetime.date


def post_data(response, **changes) -> dict:
    """What the page's forms would send unchanged (dates as typed, dd/mm/yyyy), with
    `changes` on top: the test edits what a person would edit."""
    data: dict = {"revision": response.context["revision"]}
    editor = response.context["editor"]
    for form_or_set in editor.forms():
        members = form_or_set.forms if hasattr(form_or_set, "forms") else [form_or_set]
        if hasattr(form_or_set, "management_form"):
            for field in form_or_set.management_form:
                data[field.html_name] = field.value()
        for form in members:
            for field in form:
                value = field.value()
                widget = field.field.widget
                choices = getattr(field.field, "choices", None)
                is_list = isinstance(widget, forms.Select) and not widget.allow_multiple_selected
                if value is None and choices and is_list:
                    value = str(next(iter(choices))[0])  # what a browser sends, untouched
                if value is None or value is False:
                    continue
                if isinstance(value, datetime.date):
                    value = f"{value:%d/%m/%Y}"
                elif isinstance(value, list):
                    value = [getattr(v, "pk", v) for v in value]
                elif value is True:
                    value = "on"
                data[field.html_name] = value
    data.update(changes)
    return data


class PlanPagesTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district_admin = make_user("adam", cls.district_a1, Role.Kind.CAMPAIGN_ADMIN)

    def new_draft(self, **fields) -> Campaign:
        self.client.force_login(self.dave)
        data = {
            "owner": self.province_a.pk, "start": "skeleton", "kind": "final",
            "title": "Tổng kết nhiệm kỳ", "reviewed_from": "01/01/2013",
            "reviewed_to": "31/12/2018", "resolutions": [self.resolution.pk],
            **fields,
        }  # fmt: skip
        response = self.client.post(reverse("campaign_new"), data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        return Campaign.objects.exclude(pk=self.campaign.pk).get()

    def edit_url(self, campaign: Campaign, part: str) -> str:
        return reverse("campaign_edit", args=[campaign.pk, part])


class NewPlanTestCase(PlanPagesTestCase):
    def test_an_administrator_starts_a_draft_from_the_skeleton(self):
        campaign = self.new_draft()
        self.assertEqual(campaign.state, Campaign.State.DRAFT)
        self.assertEqual(campaign.reviewed_to, D(2018, 12, 31))
        self.assertTrue(campaign.sections.exists())

    def test_a_copy_moves_the_deadlines_to_the_new_period(self):
        campaign = self.new_draft(start="copy", source=self.campaign.pk, kind="final")
        self.assertEqual(
            Deadline.objects.get(
                milestone__campaign=campaign, unit_kind=self.kinds["district"]
            ).due_on,
            D(2018, 12, 31),
        )

    def test_a_date_written_the_wrong_way_is_named_and_what_was_typed_stays(self):
        self.client.force_login(self.dave)
        response = self.client.post(
            reverse("campaign_new"),
            {"owner": self.province_a.pk, "start": "blank", "kind": "final",
             "title": "Tổng kết", "reviewed_from": "2013-01-01", "reviewed_to": "31/12/2018",
             "resolutions": [self.resolution.pk]},
        )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ghi ngày theo dạng dd/mm/yyyy")
        self.assertContains(response, "Tổng kết</textarea>")
        self.assertContains(response, "2013-01-01")
        self.assertEqual(Campaign.objects.count(), 1)

    def test_a_person_who_administers_no_unit_cannot_start_a_plan(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("campaign_new")).status_code, 403)
        self.assertNotContains(self.client.get(reverse("campaign_list")), reverse("campaign_new"))

    def test_a_plan_cannot_be_made_for_a_unit_one_does_not_administer(self):
        self.client.force_login(self.district_admin)
        response = self.client.post(
            reverse("campaign_new"),
            {"owner": self.province_a.pk, "start": "blank", "kind": "final", "title": "X",
             "reviewed_from": "01/01/2013", "reviewed_to": "31/12/2018",
             "resolutions": [self.resolution.pk]},
        )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Campaign.objects.count(), 1)


class EditPartsTestCase(PlanPagesTestCase):
    def test_every_part_shows_and_saves_unchanged(self):
        campaign = self.new_draft()
        for part in parts.Part:
            with self.subTest(part=part.value):
                url = self.edit_url(campaign, part)
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                response = self.client.post(url, post_data(page))
                self.assertRedirects(response, url)
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).revision, campaign.revision)

    def test_a_deadline_typed_on_the_timeline_page_is_saved(self):
        campaign = self.new_draft(start="copy", source=self.campaign.pk)
        url = self.edit_url(campaign, "tien-do")
        page = self.client.get(url)
        district = Deadline.objects.get(
            milestone__campaign=campaign, unit_kind=self.kinds["district"]
        )
        form = next(
            f for f in page.context["editor"].deadlines.forms if f.initial.get("id") == district.pk
        )
        self.client.post(url, post_data(page, **{f"{form.prefix}-due_on": "20/12/2018"}))
        district.refresh_from_db()
        self.assertEqual(district.due_on, D(2018, 12, 20))

    def test_a_stale_page_is_refused_and_keeps_what_was_typed(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "noi-nhan")
        page = self.client.get(url)
        self.client.post(url, post_data(page, lines="Như trên"))
        response = self.client.post(url, post_data(page, lines="Lưu VT"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Người khác đã lưu")
        self.assertContains(response, "Lưu VT")
        self.assertEqual(list(campaign.recipients.values_list("text", flat=True)), ["Như trên"])

    def test_a_new_outline_section_is_added_in_its_place(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "de-cuong")
        page = self.client.get(url)
        formset = page.context["editor"].formset
        new = formset.forms[formset.initial_form_count()].prefix
        data = post_data(
            page,
            **{f"{new}-heading": "Công tác nữ công", f"{new}-depth": "1", f"{new}-ORDER": "2",
               f"{new}-targets": [self.t_sum.pk]},
        )  # fmt: skip
        self.assertRedirects(self.client.post(url, data), url)
        second = campaign.outline_sections.order_by("order")[1]
        self.assertEqual(second.heading, "Công tác nữ công")
        self.assertEqual(list(second.targets.all()), [self.t_sum])
        self.assertIsNotNone(second.parent)

    def test_an_unknown_unit_code_for_participants_is_named(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "don-vi")
        page = self.client.get(url)
        response = self.client.post(
            url,
            post_data(page, **{"unit-0-root": "B1", "unit-0-kinds": [self.kinds["district"].pk]}),
        )
        self.assertContains(response, "Không có đơn vị mã “B1”")
        self.assertFalse(campaign.participations.exists())

    def test_the_count_of_units_a_participation_gives_is_shown_before_saving(self):
        campaign = self.new_draft()
        self.client.force_login(self.dave)
        response = self.client.get(
            reverse("campaign_participants_count", args=[campaign.pk]),
            {"prefix": "unit-0", "unit-0-root": "A",
             "unit-0-kinds": [self.kinds["grassroots"].pk]},
        )  # fmt: skip
        # A1-01 and A2-01 are open; A1-02 closed in 2015 (the clock reads today).
        self.assertContains(response, "2 đơn vị")

    def test_others_cannot_open_the_edit_pages(self):
        campaign = self.new_draft()
        for person, status in [(self.carol, 404), (self.district_admin, 404), (self.erin, 404)]:
            self.client.force_login(person)
            with self.subTest(person=person.username):
                response = self.client.get(self.edit_url(campaign, "chung"))
                self.assertEqual(response.status_code, status)
        self.client.force_login(self.carol)  # sees the issued plan, may not change it
        self.assertEqual(self.client.get(self.edit_url(self.campaign, "chung")).status_code, 403)

    def test_an_unknown_part_is_not_found(self):
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(self.edit_url(self.campaign, "khac")).status_code, 404)


class IssueAndAmendTestCase(PlanPagesTestCase):
    def ready(self) -> Campaign:
        return self.new_draft(start="copy", source=self.campaign.pk)

    def test_the_administrator_issues_the_plan_with_its_number_and_date(self):
        campaign = self.ready()
        url = reverse("campaign_issue", args=[campaign.pk])
        self.assertContains(self.client.get(url), "Ban hành")
        response = self.client.post(
            url,
            {"revision": Campaign.objects.get(pk=campaign.pk).revision,
             "document_number": "20/KH-LĐLĐ", "issued_on": "01/10/2018",
             "signing_capacity": "TM. BAN THƯỜNG VỤ", "signer_title": "CHỦ TỊCH",
             "signer_name": "Nguyễn Văn A"},
        )  # fmt: skip
        self.assertRedirects(response, reverse("campaign_detail", args=[campaign.pk]))
        campaign.refresh_from_db()
        self.assertEqual(
            (campaign.state, campaign.document_number, campaign.issued_on),
            (Campaign.State.ISSUED, "20/KH-LĐLĐ", D(2018, 10, 1)),
        )
        self.client.force_login(self.alice)
        self.assertEqual(
            self.client.get(reverse("campaign_detail", args=[campaign.pk])).status_code, 200
        )

    def test_a_plan_without_a_number_is_not_issued(self):
        campaign = self.ready()
        response = self.client.post(
            reverse("campaign_issue", args=[campaign.pk]),
            {"revision": campaign.revision, "document_number": "", "issued_on": "01/10/2018",
             "signer_title": "CHỦ TỊCH", "signer_name": "Nguyễn Văn A"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).state, Campaign.State.DRAFT)

    def test_an_amendment_needs_a_reason_and_keeps_what_was_typed(self):
        self.client.force_login(self.dave)
        url = self.edit_url(self.campaign, "noi-nhan")
        page = self.client.get(url)
        response = self.client.post(url, post_data(page, lines="Ban Thường vụ"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ban Thường vụ")
        self.assertFalse(Amendment.objects.exists())
        response = self.client.post(url, post_data(page, lines="Ban Thường vụ", reason="Bổ sung"))
        self.assertRedirects(response, url)
        self.assertEqual(Amendment.objects.get().reason, "Bổ sung")
        detail = self.client.get(reverse("campaign_detail", args=[self.campaign.pk]))
        self.assertContains(detail, "Bổ sung")


class SameDocumentTestCase(PlanPagesTestCase):
    def test_a_plan_written_on_the_pages_prints_as_one_written_by_the_service(self):
        on_pages = self.new_draft(start="skeleton", title="Kế hoạch A")
        url = self.edit_url(on_pages, "noi-nhan")
        self.client.post(url, post_data(self.client.get(url), lines="Như trên\nLưu VT"))
        url = self.edit_url(on_pages, "chung")
        self.client.post(
            url, post_data(self.client.get(url), signer_title="CHỦ TỊCH", signer_name="Ng Văn A")
        )
        by_service = services.campaign_create(
            by=self.dave, owner=self.province_a, skeleton=True,
            header=parts.Header(
                kind="final", title="Kế hoạch A", reviewed_from=D(2013, 1, 1),
                reviewed_to=D(2018, 12, 31), resolution_ids=(self.resolution.pk,),
                signer_title="CHỦ TỊCH", signer_name="Ng Văn A",
            ),
        )  # fmt: skip
        services.campaign_save_recipients(
            by=self.dave, campaign=by_service, revision=by_service.revision,
            lines=["Như trên", "Lưu VT"],
        )  # fmt: skip
        on_pages.refresh_from_db()
        for document in (content.plan_document, content.outline_document):
            with self.subTest(document=document.__name__):
                # The same but for the file's name, which carries each campaign's own code.
                self.assertEqual(
                    dataclasses.replace(document(on_pages), filename=""),
                    dataclasses.replace(document(by_service), filename=""),
                )


class AfterReviewTestCase(PlanPagesTestCase):
    def test_after_a_conflict_saving_again_overwrites_knowingly(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "noi-nhan")
        page = self.client.get(url)
        self.client.post(url, post_data(page, lines="Như trên"))
        refused = self.client.post(url, post_data(page, lines="Lưu VT"))
        self.assertContains(refused, "Xem bản đã lưu")
        again = self.client.post(url, post_data(refused, lines="Lưu VT"))
        self.assertRedirects(again, url)
        self.assertEqual(list(campaign.recipients.values_list("text", flat=True)), ["Lưu VT"])

    def test_a_line_moved_to_the_top_keeps_its_own_deadlines(self):
        campaign = self.new_draft(start="copy", source=self.campaign.pk)
        url = self.edit_url(campaign, "tien-do")
        services.campaign_save_timeline(
            by=self.dave, campaign=campaign, revision=campaign.revision,
            milestones=[
                *parts.milestone_rows(campaign),
                parts.MilestoneRow(label="Tháng 3/2019", text="Hoàn chỉnh",
                                   starts_on=D(2019, 3, 1), ends_on=D(2019, 3, 31)),
            ],
        )  # fmt: skip
        page = self.client.get(url)
        first, second = page.context["editor"].lines.forms[:2]
        data = post_data(page, **{f"{first.prefix}-ORDER": "2", f"{second.prefix}-ORDER": "1"})
        self.assertRedirects(self.client.post(url, data), url)
        moved = campaign.milestones.order_by("order")
        self.assertEqual([m.label for m in moved], ["Tháng 3/2019", "Tháng 12/2018"])
        self.assertFalse(moved[0].deadlines.exists())
        self.assertEqual(moved[1].deadlines.count(), 3)

    def test_a_drafts_reports_page_does_not_exist_yet(self):
        campaign = self.new_draft()
        for name in ("campaign_reports",):
            response = self.client.get(reverse(name, args=[campaign.pk]))
            self.assertEqual(response.status_code, 404)
        response = self.client.post(
            reverse("remind_missing", args=[campaign.pk, self.province_a.pk])
        )
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(
            self.client.get(reverse("campaign_detail", args=[campaign.pk])),
            f'href="{reverse("campaign_reports", args=[campaign.pk])}"',
        )


class HostileInputTestCase(PlanPagesTestCase):
    """What an outsider sent the pages: each refused in Vietnamese, nothing written."""

    def test_a_page_cut_short_deletes_nothing(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "ke-hoach")
        page = self.client.get(url)
        before = campaign.sections.count()
        response = self.client.post(url, post_data(page, **{"section-TOTAL_FORMS": "0"}))
        self.assertContains(response, "Trang gửi về không đầy đủ")
        self.assertEqual(campaign.sections.count(), before)

    def test_one_row_sent_twice_is_refused(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "ke-hoach")
        page = self.client.get(url)
        first = page.context["editor"].formset.forms[0].initial["id"]
        response = self.client.post(url, post_data(page, **{"section-1-id": str(first)}))
        self.assertContains(response, "không còn nữa: hãy tải lại trang")

    def test_a_thousand_lines_are_refused_at_once(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "de-cuong")
        page = self.client.get(url)
        response = self.client.post(url, post_data(page, **{"outline-TOTAL_FORMS": "100000"}))
        self.assertContains(response, "Tối đa 250 dòng")

    def test_a_damaged_row_id_is_named(self):
        campaign = self.new_draft()
        url = self.edit_url(campaign, "ke-hoach")
        response = self.client.post(url, post_data(self.client.get(url), **{"section-0-id": "abc"}))
        self.assertContains(response, "Một dòng của trang bị hỏng")

    def test_a_deadline_in_the_year_9999_is_refused(self):
        campaign = self.new_draft(start="copy", source=self.campaign.pk)
        url = self.edit_url(campaign, "tien-do")
        page = self.client.get(url)
        response = self.client.post(url, post_data(page, **{"due-0-due_on": "31/12/9999"}))
        self.assertContains(response, "Ghi năm trong khoảng 1945 đến 2200")

    def test_saving_without_a_change_says_so(self):
        self.client.force_login(self.dave)
        url = self.edit_url(self.campaign, "noi-nhan")
        response = self.client.post(
            url, post_data(self.client.get(url), reason="Xem lại"), follow=True
        )
        self.assertContains(response, "Không có gì thay đổi")
        self.assertFalse(Amendment.objects.exists())

    def test_issuing_from_a_page_without_its_revision_is_a_conflict_not_a_404(self):
        campaign = self.new_draft(start="copy", source=self.campaign.pk)
        response = self.client.post(
            reverse("campaign_issue", args=[campaign.pk]),
            {"document_number": "1/KH", "issued_on": "01/10/2018", "signer_title": "CHỦ TỊCH",
             "signer_name": "Nguyễn Văn A"},
        )  # fmt: skip
        self.assertContains(response, "Người khác đã lưu")
