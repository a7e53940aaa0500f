"""Django's database sessions, refusing a session key that Django could never have made.

A cookie is whatever the browser sends: a key with a NUL in it reached PostgreSQL,
which refuses NUL in text, and every page answered 500. Django's keys are 32 lowercase
letters and digits; any other key is treated as no session at all.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        if not key or not (key.isascii() and key.isalnum()):
            return False
        # A private method of Django's SessionBase, which django-stubs does not declare.
        return super()._validate_session_key(key)  # type: ignore[misc]
