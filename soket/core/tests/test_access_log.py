"""The access log leaves out the secrets of questionnaire and set-password links, in the
request line, the path and the referring page, and keeps everything else."""

import datetime

from django.test import SimpleTestCase
from gunicorn.config import Config

from soket.core.access_log import AccessLogger


class Answer:
    status = "302 Found"
    headers: list = []
    sent = 0


class Request:
    headers = [("REFERER", "https://soket.example/khao-sat/phieu/bi-mat-9/")]


class AccessLogTestCase(SimpleTestCase):
    def atoms(self, method: str, path: str) -> dict:
        environ = {
            "REQUEST_METHOD": method,
            "RAW_URI": path,
            "PATH_INFO": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "10.0.0.7",
            "HTTP_REFERER": "https://soket.example/khao-sat/phieu/bi-mat-9/",
        }
        logger = AccessLogger(Config())
        return logger.atoms(Answer(), Request(), environ, datetime.timedelta(milliseconds=12))

    def test_a_questionnaire_link_is_logged_without_its_secret(self):
        atoms = self.atoms("POST", "/khao-sat/phieu/Zx9-secret_Q/")
        self.assertEqual(atoms["r"], "POST /khao-sat/phieu/…/ HTTP/1.1")
        self.assertEqual(atoms["U"], "/khao-sat/phieu/…/")
        self.assertEqual(atoms["f"], "https://soket.example/khao-sat/phieu/…/")
        self.assertEqual(atoms["{referer}i"], "https://soket.example/khao-sat/phieu/…/")
        self.assertNotIn("secret", str(atoms))
        self.assertEqual(atoms["s"], "302")
        self.assertEqual(atoms["h"], "10.0.0.7")

    def test_a_set_password_link_is_logged_without_its_token(self):
        atoms = self.atoms("GET", "/nguoi-dung/dat-mat-khau/MTI/c4k-9f8e7d/")
        self.assertEqual(atoms["U"], "/nguoi-dung/dat-mat-khau/…/")

    def test_other_addresses_are_logged_as_they_are(self):
        atoms = self.atoms("GET", "/khao-sat/12/ket-qua/?don-vi=3")
        self.assertEqual(atoms["r"], "GET /khao-sat/12/ket-qua/?don-vi=3 HTTP/1.1")
