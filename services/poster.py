"""The printable poster of a school (A4, for the school's door): what it says and its QR code.

The QR code is drawn here with segno, as inline SVG: no third-party service sees the address.
It encodes the school's short link, /e/<UAI>/ (the code on the school's gate, readable and
typed in a few keys), which sends to the school's page in French; the page offers the other
languages. A poster needs a referent: without one it is refused with the reason."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The other languages' one-line invitation, printed under the French text.
INVITATION = _("Besoin d'aide ? Prenez rendez-vous avec le service social scolaire : scannez le code.")


class PosterError(ValueError):
    """Why a poster cannot be printed, in words for the admin."""


def short_path(school) -> str:
    return reverse("school_short_link", kwargs={"uai": school.uai.lower()})


def short_url(school, root_url: str) -> str:
    return root_url.rstrip("/") + short_path(school)


def qr_svg(payload: str) -> str:
    """An inline SVG QR code of `payload` (error correction M: survives a scratch or a stain)."""
    code = segno.make(payload, error="m", micro=False)
    return code.svg_inline(scale=6, border=4, dark="#000", light="#fff", title=payload)


@dataclass(frozen=True)
class Poster:
    school: object
    url: str
    qr: str


def make_poster(school, root_url: str) -> Poster:
    school = school.source_school
    if not school.referent_id:
        raise PosterError(
            _("Cette école n'a pas de référent : choisissez-le sur la page de l'école avant d'imprimer l'affiche.")
        )
    if not school.uai:
        raise PosterError(_("Cette école n'a pas de code UAI : il sert au lien court de l'affiche."))
    url = short_url(school, root_url)
    return Poster(school=school, url=url, qr=qr_svg(url))
