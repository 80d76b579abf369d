"""Compile the gettext catalogues with polib, so that no one needs GNU gettext installed.

Django's own `compilemessages` shells out to `msgfmt`; a fresh clone of the portal must show
translated interface strings without it. The `.mo` files are committed next to their `.po`."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogues(locale_paths):
    """Every `<locale path>/<language>/LC_MESSAGES/*.po`, in a stable order."""
    found = []
    for locale_path in locale_paths:
        found += sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po"))
    return found


def display(path):
    base = Path(settings.BASE_DIR)
    return path.relative_to(base) if path.is_relative_to(base) else path


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed)."

    def handle(self, *args, **options):
        po_paths = catalogues(settings.LOCALE_PATHS)
        if not po_paths:
            self.stdout.write("No catalogue to compile.")
            return
        for po_path in po_paths:
            mo_path = po_path.with_suffix(".mo")
            try:
                # Like msgfmt, to_binary() leaves out fuzzy, obsolete and untranslated entries.
                compiled = polib.pofile(str(po_path)).to_binary()
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            if mo_path.exists() and mo_path.read_bytes() == compiled:
                status = "up to date"
            else:
                mo_path.write_bytes(compiled)
                status = "compiled"
            self.stdout.write(f"{display(po_path)}: {status}")
