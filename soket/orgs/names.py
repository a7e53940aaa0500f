"""Names of units as documents write them in lists."""

from __future__ import annotations

# How a unit's name is shortened where many are listed (the causes in a table):
# the leading words of its kind, as offices abbreviate them.
SHORT_PREFIXES = [
    ("Liên đoàn Lao động", "LĐLĐ"),
    ("Công đoàn cơ sở", "CĐCS"),
    ("Công đoàn ngành", "CĐ ngành"),
    ("Công đoàn", "CĐ"),
]


def short_name(name: str) -> str:
    """ "Liên đoàn Lao động huyện Tràng Định" → "LĐLĐ huyện Tràng Định"."""
    for prefix, short in SHORT_PREFIXES:
        if name.startswith(prefix + " "):
            return short + name[len(prefix) :]
    return name
