import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[3]


def manage(*args, **env) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DeploySettingsTestCase(SimpleTestCase):
    def test_check_deploy_is_clean_with_debug_off(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            DEBUG="0",
            SECRET_KEY="k" * 60 + "-production-like-secret",
            ALLOWED_HOSTS="soket.example",
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_it_refuses_to_start_without_a_secret_key(self):
        result = manage("check", DEBUG="0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY", result.stderr)
