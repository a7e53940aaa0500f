"""Telling whole levels at once: each person once, a chunk at a time, safe to run again."""

from django.test import TestCase

from soket.notices.models import Notice, OutgoingMail
from soket.notices.services import notify, notify_all
from soket.orgs.models import User


class NotifyAllTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.people = [
            User.objects.create(
                username=f"nguoi{n}", email=f"nguoi{n}@example.org" if n % 2 else ""
            )
            for n in range(5)
        ]

    def everyone(self):
        return User.objects.filter(username__startswith="nguoi")

    def test_each_person_is_told_once_across_chunks_and_runs(self):
        told = notify_all(users=self.everyone(), text="Ban hành", key="k", chunk_size=2)
        self.assertEqual(told, 5)
        self.assertEqual(notify_all(users=self.everyone(), text="Ban hành", key="k"), 0)
        self.assertEqual(Notice.objects.filter(key="k").count(), 5)

    def test_those_with_an_address_get_one_mail_each_as_notify_would_write_it(self):
        notify_all(users=self.everyone(), text="Ban hành", url="/dot/1/", key="k", chunk_size=2)
        notify(users=self.everyone(), text="Ban hành", url="/dot/1/", key="other")
        mails = OutgoingMail.objects.filter(notice__key="k")
        self.assertEqual(sorted(mails.values_list("to", flat=True)),
                         ["nguoi1@example.org", "nguoi3@example.org"])  # fmt: skip
        one = mails.get(to="nguoi1@example.org")
        same = OutgoingMail.objects.get(notice__key="other", to="nguoi1@example.org")
        self.assertEqual((one.subject, one.body), (same.subject, same.body))
        self.assertIn(f"notice{one.notice_id}", one.message_id)

    def test_someone_already_told_one_by_one_is_not_told_again(self):
        notify(users=self.people[:2], text="Ban hành", key="k")
        self.assertEqual(notify_all(users=self.everyone(), text="Ban hành", key="k"), 3)
        self.assertEqual(Notice.objects.filter(key="k").count(), 5)

    def test_a_key_is_required(self):
        with self.assertRaises(ValueError):
            notify_all(users=self.everyone(), text="x", key="")
