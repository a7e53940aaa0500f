"""Compile the .po catalogues to .mo with polib, so no GNU gettext is needed to run Soket.

`manage.py makemessages` (which does need gettext) is only for developers who add strings.
"""

from pathlib import Path

import polib  # type: ignore[import-untyped]  # polib ships no types; types-polib is not installed

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def main() -> None:
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


if __name__ == "__main__":
    main()
