"""Gunicorn's settings for Soket in production: `.venv/bin/gunicorn soket.wsgi`.

Gunicorn reads this file from the directory it starts in. Heavy work (PDFs, large
exports, mail) runs in the background runner, so no request should come near the
timeout; a worker that does is killed and replaced rather than left to hold others up.
Every value can be changed from the environment.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: each serves one request at a time, which suits a server-rendered
# site whose requests are short. Two per core and one more, as gunicorn advises.
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then, so a slow leak in any library cannot grow for ever.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Requests larger than this never reach Django (the upload limits are far below it).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Only where the office's own web server sits in front (SOKET_BEHIND_PROXY=1, the same
# setting Django reads) may it say that a request came over HTTPS, and only from its
# address; otherwise no header changes the scheme, whoever sends it.
BEHIND_PROXY = os.environ.get("SOKET_BEHIND_PROXY", "").strip().lower() in {
    "1",
    "true",
    "yes",
    "on",
}
if BEHIND_PROXY:
    forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The same lines, with the secrets of questionnaire and set-password links left out.
logger_class = "soket.core.access_log.AccessLogger"
errorlog = "-"
