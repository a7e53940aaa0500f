"""Log-in is throttled by account and by address, passwords are kept with Argon2, an idle
session ends, and the proxy's headers are believed only where a proxy is declared."""

import time

from django.contrib.auth.hashers import make_password
from django.test import RequestFactory, override_settings
from django.urls import reverse

from soket.core import auth
from soket.core.tests.test_settings import manage
from soket.orgs.models import User
from soket.testing import BaseTestCase


@override_settings(AXES_FAILURE_LIMIT=3)
class ThrottleTestCase(BaseTestCase):
    def log_in(self, username, password, address="10.0.0.1"):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_in_vietnamese(self):
        self.assertEqual(self.log_in("alice", "wrong").status_code, 200)
        self.assertEqual(self.log_in("alice", "wrong").status_code, 200)
        self.assertEqual(self.log_in("alice", "wrong").status_code, 429)  # the third
        response = self.log_in("alice", "password")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Đăng nhập sai quá nhiều lần", status_code=429)
        self.assertContains(response, "15 phút", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_account_stays_locked_from_another_address(self):
        for _attempt in range(3):
            self.log_in("alice", "wrong", address="10.0.0.1")
        self.assertEqual(self.log_in("alice", "password", address="10.0.0.2").status_code, 429)

    def test_one_address_trying_many_accounts_is_stopped(self):
        for username in ("alice", "bob", "carol"):
            self.log_in(username, "wrong", address="10.0.0.9")
        self.assertEqual(self.log_in("dave", "password", address="10.0.0.9").status_code, 429)
        self.assertEqual(self.log_in("dave", "password", address="10.0.0.8").status_code, 302)

    def test_a_right_password_clears_the_count(self):
        self.log_in("alice", "wrong")
        self.log_in("alice", "wrong")
        self.assertEqual(self.log_in("alice", "password").status_code, 302)
        self.client.logout()
        self.log_in("alice", "wrong")
        self.log_in("alice", "wrong")
        self.assertEqual(self.log_in("alice", "password").status_code, 302)


class PasswordHashTestCase(BaseTestCase):
    def test_new_passwords_are_hashed_with_argon2(self):
        self.assertTrue(User.objects.get(username="alice").password.startswith("argon2$"))

    def test_an_older_hash_is_upgraded_at_log_in(self):
        User.objects.filter(username="bob").update(
            password=make_password("password", hasher="pbkdf2_sha256")
        )
        response = self.client.post(reverse("login"), {"username": "bob", "password": "password"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(username="bob").password.startswith("argon2$"))


class IdleSessionTestCase(BaseTestCase):
    @override_settings(SESSION_COOKIE_AGE=2)
    def test_a_session_ends_after_its_idle_time_and_each_request_extends_it(self):
        self.client.post(reverse("login"), {"username": "alice", "password": "password"})
        for _request in range(3):  # busy for longer than the idle time: still in
            time.sleep(1)
            self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        time.sleep(3)
        response = self.client.get(reverse("home"))
        self.assertRedirects(response, reverse("login") + "?next=/")

    def test_the_default_idle_time_is_two_hours(self):
        from django.conf import settings

        self.assertEqual(settings.SESSION_COOKIE_AGE, 2 * 60 * 60)
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)


class ProxyTestCase(BaseTestCase):
    def test_forwarded_addresses_are_ignored_unless_a_proxy_is_declared(self):
        request = RequestFactory().get(
            "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
        )
        self.assertEqual(auth.client_address(request), "127.0.0.1")
        with self.settings(SOKET_BEHIND_PROXY=True):
            # The proxy appends the address it saw; what came before is the visitor's claim.
            self.assertEqual(auth.client_address(request), "203.0.113.5")

    def test_gunicorn_believes_the_scheme_header_only_behind_a_declared_proxy(self):
        import os
        import runpy
        from unittest import mock

        from soket.core.tests.test_settings import ROOT

        config = str(ROOT / "gunicorn.conf.py")
        with mock.patch.dict(os.environ, {"SOKET_BEHIND_PROXY": ""}):
            plain = runpy.run_path(config)
        self.assertEqual((plain["forwarded_allow_ips"], plain["secure_scheme_headers"]), ("", {}))
        with mock.patch.dict(os.environ, {"SOKET_BEHIND_PROXY": "1"}):
            proxied = runpy.run_path(config)
        self.assertEqual(proxied["forwarded_allow_ips"], "127.0.0.1")
        self.assertEqual(proxied["secure_scheme_headers"], {"X-FORWARDED-PROTO": "https"})

    def test_https_is_believed_from_the_header_only_behind_a_declared_proxy(self):
        code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
        production = {"DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "soket.example"}
        plain = manage("shell", "-c", code, **production)
        self.assertEqual(plain.stdout.strip().splitlines()[-1], "None", plain.stderr)
        proxied = manage("shell", "-c", code, SOKET_BEHIND_PROXY="1", **production)
        self.assertIn("HTTP_X_FORWARDED_PROTO", proxied.stdout, proxied.stderr)


@override_settings(AXES_FAILURE_LIMIT=3)
class ThrottleBypassTestCase(BaseTestCase):
    """Logging in as oneself clears one's own failures, never the address's guesses at
    someone else's password."""

    log_in = ThrottleTestCase.log_in

    def test_logging_in_as_oneself_between_guesses_does_not_reset_them(self):
        for _round in range(3):
            self.log_in("carol", "wrong", address="10.0.0.5")
            self.log_in("carol", "wrong", address="10.0.0.5")
            self.log_in("alice", "password", address="10.0.0.5")  # the guesser's own account
            self.client.logout()
        self.assertEqual(self.log_in("carol", "password", address="10.0.0.5").status_code, 429)

    def test_a_username_longer_than_any_is_just_wrong(self):
        response = self.log_in("x" * 5000, "wrong")
        self.assertEqual(response.status_code, 200)


class StaleFormTestCase(BaseTestCase):
    def setUp(self):
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)

    def test_a_second_log_in_tab_sent_after_the_first_just_goes_on(self):
        first = self.client.get(reverse("login"))
        token = first.context["csrf_token"]
        self.client.post(
            reverse("login"),
            {"username": "alice", "password": "password", "csrfmiddlewaretoken": token},
        )
        # The second tab still holds the token of before the log-in.
        response = self.client.post(
            reverse("login"),
            {"username": "alice", "password": "password", "csrfmiddlewaretoken": token},
        )
        self.assertRedirects(response, reverse("home"))

    def test_a_stale_form_is_explained_in_vietnamese(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notices_read"), {"csrfmiddlewaretoken": "stale"})
        self.assertContains(response, "Trang đã cũ", status_code=403)
