"""The committed French catalogue is complete and compiled (no msgfmt on a fresh machine)."""

from pathlib import Path

import polib

import libdesk

CATALOGUE = Path(libdesk.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def test_every_message_has_a_french_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()


def test_the_compiled_catalogue_matches_its_source():
    source = {
        (e.msgid, e.msgstr or str(e.msgstr_plural))
        for e in polib.pofile(str(CATALOGUE / "django.po"))
        if not e.obsolete
    }
    compiled = {
        (e.msgid, e.msgstr or str(e.msgstr_plural))
        for e in polib.mofile(str(CATALOGUE / "django.mo"))
    }
    assert source - compiled == set()
