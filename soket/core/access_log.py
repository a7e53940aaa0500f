"""Gunicorn's access log without the secrets some addresses carry (gunicorn.conf.py
names AccessLogger as its logger class; nothing else imports this module).

A worker's questionnaire link is its secret: logged with the time of each request, it
would let whoever reads the logs tie an anonymous answer to the questionnaire, and so to
the worker a union handed it to. A set-password link is a credential until it is used.
Both are written as "…" wherever the line may show them (request line, path, referring
page, headers, environment); the rest (time, status, size) stays as gunicorn writes it."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRETS_IN_ADDRESSES = re.compile(
    r"(/khao-sat/phieu/)[^/?#\s]+|(/nguoi-dung/dat-mat-khau/)[^/?#\s]+/[^/?#\s]+"
)


def redacted(text: str) -> str:
    return SECRETS_IN_ADDRESSES.sub(lambda m: f"{m.group(1) or m.group(2)}…", text)


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        # Every field a log format may name (the request line, the path, the headers and
        # the environment as {name}i and {name}e), not only those of the default format.
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redacted(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
