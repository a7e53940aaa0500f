"""An invitation reaches a real SMTP server once, and its link sets the password."""

from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse

from soket.notices import delivery
from soket.orgs.models import User
from soket.people.tests.fixtures import KeepingSink, build_people, path_of
from soket.people.tests.test_rules import logs_in
from soket.testing import build_tree

PASSWORD = "Hoa-sen-nở-2015"


class InvitationTestCase(TransactionTestCase):
    """Delivery runs outside any transaction, as in the runner."""

    def setUp(self):
        build_tree(self)
        build_people(self)
        self.sink = KeepingSink().start()
        self.addCleanup(self.sink.stop)
        mail_settings = override_settings(**self.sink.settings())
        mail_settings.enable()
        self.addCleanup(mail_settings.disable)

    def set_password(self, link: str, password: str) -> Client:
        """Follow the e-mail's link in a browser of one's own and choose `password`."""
        browser = Client()
        response = browser.get(path_of(link))
        self.assertEqual(response.status_code, 302)  # the token moves out of the address
        form_url = response["Location"]
        self.assertContains(browser.get(form_url), 'name="new_password1"')
        weak = browser.post(form_url, {"new_password1": "123", "new_password2": "123"})
        self.assertEqual(weak.status_code, 200)  # refused, with the reasons
        self.assertTrue(weak.context["form"].errors)
        done = browser.post(form_url, {"new_password1": password, "new_password2": password})
        self.assertRedirects(done, reverse("login"), fetch_redirect_response=False)
        return browser

    def test_an_invited_person_sets_a_password_by_the_emailed_link_and_logs_in(self):
        self.client.force_login(self.ada)
        response = self.client.post(
            reverse("person_add"),
            {"username": "cdcs.moi", "full_name": "Nguyễn Văn Mới", "email": "moi@example.org",
             "unit": "A1-01", "kind": "reporter", "department": ""},
        )  # fmt: skip
        person = User.objects.get(username="cdcs.moi")
        self.assertRedirects(
            response, reverse("person_detail", args=[person.pk]), fetch_redirect_response=False
        )
        self.assertFalse(logs_in(Client(), "cdcs.moi", ""))

        self.assertEqual(delivery.deliver().sent, 1)
        self.assertEqual(delivery.deliver().sent, 0)  # once
        self.assertEqual(self.sink.recipients(), {"moi@example.org": 1})
        [link] = self.sink.links_to("moi@example.org")
        self.assertTrue(link.startswith("http://testserver/nguoi-dung/dat-mat-khau/"))

        self.set_password(link, PASSWORD)
        self.assertTrue(logs_in(Client(), "cdcs.moi", PASSWORD))
        # The link has done its work: it opens nothing any more.
        used = Client().get(path_of(link), follow=True)
        self.assertFalse(used.context["validlink"])

    def test_a_fresh_link_replaces_a_forgotten_password(self):
        User.objects.filter(pk=self.gus.pk).update(email="gus@example.org")
        self.client.force_login(self.ada)
        response = self.client.post(reverse("person_send_link", args=[self.gus.pk]))
        self.assertRedirects(
            response, reverse("person_detail", args=[self.gus.pk]), fetch_redirect_response=False
        )
        delivery.deliver()
        [link] = self.sink.links_to("gus@example.org")
        self.set_password(link, PASSWORD)
        self.assertFalse(logs_in(Client(), "gus", "password"))
        self.assertTrue(logs_in(Client(), "gus", PASSWORD))

    def test_a_deactivated_persons_link_opens_nothing(self):
        User.objects.filter(pk=self.gus.pk).update(email="gus@example.org")
        self.client.force_login(self.ada)
        self.client.post(reverse("person_send_link", args=[self.gus.pk]))
        self.client.post(reverse("person_deactivate", args=[self.gus.pk]))
        delivery.deliver()
        [link] = self.sink.links_to("gus@example.org")
        response = Client().get(path_of(link), follow=True)
        self.assertFalse(response.context["validlink"])
