import re
from pathlib import Path

import polib
from django.test import SimpleTestCase
from django.urls import reverse

from soket.testing import BaseTestCase

LOCALE = Path(__file__).resolve().parents[2] / "locale"


class CatalogueTestCase(SimpleTestCase):
    def test_every_string_has_a_vietnamese_translation(self):
        catalogue = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
        self.assertEqual([e.msgid for e in catalogue.untranslated_entries()], [])
        self.assertEqual([e.msgid for e in catalogue.fuzzy_entries()], [])

    def test_every_translation_keeps_the_placeholders_of_its_string(self):
        """A placeholder lost or misspelt ("{{ code }}" for "%(code)s") prints as typed
        or breaks the page; what msgfmt --check-format would say, without gettext."""
        named = re.compile(r"%\((\w+)\)[sd]|%([sd])")
        catalogue = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
        wrong = []
        for entry in catalogue.translated_entries():
            if "python-format" not in entry.flags:
                continue
            wanted = set(named.findall(entry.msgid))
            translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            for text in translations:
                if set(named.findall(text)) != wanted:
                    wrong.append(entry.msgid)
        self.assertEqual(wrong, [])


class LanguageTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_vietnamese_is_the_default(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Việc đến hạn của bạn")
        self.assertContains(response, '<html lang="vi">')

    def test_english_is_one_click_away(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Due from you")

    def test_an_english_browser_still_gets_vietnamese(self):
        response = self.client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"})
        self.assertContains(response, "Việc đến hạn của bạn")
