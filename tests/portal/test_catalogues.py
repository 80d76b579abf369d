"""The committed .mo catalogues match their .po, and compile_catalogues needs no GNU gettext."""

import gettext
import io
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command


def messages(catalogue):
    """{(context, message id): translation} of the entries gettext would use."""
    found = {}
    for entry in catalogue.translated_entries():
        translation = entry.msgstr_plural or entry.msgstr
        if isinstance(translation, dict):
            translation = tuple(translation[index] for index in sorted(translation))
        found[(entry.msgctxt, entry.msgid)] = translation
    return found


def committed_catalogues():
    paths = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))
    if not paths:
        pytest.skip("locale/ holds no .po catalogue yet (the interface strings are being written)")
    return paths


@pytest.mark.parametrize("language", ["fr", "en", "ar", "pt", "tr"])
def test_every_language_has_a_catalogue(language):
    paths = committed_catalogues()
    assert any(path.parts[-3] == language for path in paths), f"no catalogue for {language}"


def test_each_committed_mo_is_up_to_date_with_its_po():
    stale = []
    for po_path in committed_catalogues():
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            stale.append(f"{mo_path} is missing")
            continue
        source, compiled = polib.pofile(str(po_path)), polib.mofile(str(mo_path))
        if messages(source) != messages(compiled):
            stale.append(f"{mo_path} differs from its .po")
        elif source.metadata.get("Plural-Forms") != compiled.metadata.get("Plural-Forms"):
            stale.append(f"{mo_path} has other plural forms than its .po")
    assert stale == [], "run `make messages` (or `manage.py compile_catalogues`) and commit the .mo files"


PO_SOURCE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Prendre rendez-vous"
msgstr "Book an appointment"

#, fuzzy
msgid "Annuler"
msgstr "Cancel (guess)"

msgid "Aucun créneau"
msgstr ""

msgctxt "school kind"
msgid "maternelle"
msgstr "nursery"

msgid "%(count)s demande"
msgid_plural "%(count)s demandes"
msgstr[0] "%(count)s request"
msgstr[1] "%(count)s requests"
"""


def test_compile_catalogues_writes_mo_files_that_gettext_reads(tmp_path, settings):
    messages_dir = tmp_path / "en" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True)
    (messages_dir / "django.po").write_text(PO_SOURCE, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]

    call_command("compile_catalogues", stdout=io.StringIO())

    with open(messages_dir / "django.mo", "rb") as mo_file:
        translations = gettext.GNUTranslations(mo_file)
    assert translations.gettext("Prendre rendez-vous") == "Book an appointment"
    assert translations.gettext("Annuler") == "Annuler", "a fuzzy entry must not be used"
    assert translations.gettext("Aucun créneau") == "Aucun créneau"
    assert translations.pgettext("school kind", "maternelle") == "nursery"
    assert translations.ngettext("%(count)s demande", "%(count)s demandes", 3) == "%(count)s requests"


def test_compile_catalogues_leaves_an_up_to_date_mo_untouched(tmp_path, settings):
    messages_dir = tmp_path / "ar" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True)
    (messages_dir / "django.po").write_text(PO_SOURCE, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_catalogues", stdout=io.StringIO())
    mtime = (messages_dir / "django.mo").stat().st_mtime_ns

    output = io.StringIO()
    call_command("compile_catalogues", stdout=output)

    assert (messages_dir / "django.mo").stat().st_mtime_ns == mtime
    assert "up to date" in output.getvalue()
