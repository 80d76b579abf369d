"""Every catalogue is complete, and labels shared by nouns of different genders carry a context.

"Annulée" qualifies a request (pt "pedido", masculine) in its history and an evening registration
(pt "inscrição", feminine) in its status: one message id could not be translated right for both.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from forms.models import AppointmentRequest, EveningRegistration, RequestEvent

LANGUAGES = ["en", "ar", "pt", "tr"]
REQUEST_EVENT = "request history event"
REGISTRATION_STATUS = "evening registration status"
# Languages whose word for "cancelled" differs between the request and the registration.
DISTINGUISHING = {"pt", "ar"}


def catalogue(language):
    return polib.pofile(str(Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.po")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_untranslated_or_fuzzy(language):
    gaps = [
        (entry.msgctxt, entry.msgid)
        for entry in catalogue(language)
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert gaps == [], f"translate these entries of locale/{language} (then `make messages`)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_annulee_has_no_context_free_entry_left(language):
    ids = {(entry.msgctxt, entry.msgid) for entry in catalogue(language) if not entry.obsolete}
    assert (None, "Annulée") not in ids
    assert {(REQUEST_EVENT, "Annulée"), (REGISTRATION_STATUS, "Annulée")} <= ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_both_contexts_of_annulee_are_translated(language):
    with translation.override(language):
        request_event = translation.pgettext(REQUEST_EVENT, "Annulée")
        registration_status = translation.pgettext(REGISTRATION_STATUS, "Annulée")
    assert request_event and request_event != "Annulée"
    assert registration_status and registration_status != "Annulée"
    if language in DISTINGUISHING:
        assert request_event != registration_status


@pytest.mark.parametrize("language", ["fr", *LANGUAGES])
def test_model_labels_use_their_context(language):
    with translation.override(language):
        assert str(RequestEvent.Kind.CANCELLED.label) == translation.pgettext(REQUEST_EVENT, "Annulée")
        assert str(EveningRegistration.Status.CANCELLED.label) == translation.pgettext(REGISTRATION_STATUS, "Annulée")
        assert str(AppointmentRequest.Status.CANCELLED_FAMILY.label) == translation.pgettext(
            "request status", "Annulée par la famille"
        )


def test_portuguese_agrees_with_the_noun():
    with translation.override("pt"):
        assert str(RequestEvent.Kind.CANCELLED.label) == "Cancelado"  # o pedido
        assert str(EveningRegistration.Status.CANCELLED.label) == "Cancelada"  # a inscrição
        assert str(AppointmentRequest.Status.CANCELLED_FAMILY.label) == "Cancelado pela família"
        assert str(AppointmentRequest.Status.CANCELLED_SERVICE.label) == "Cancelado pelo serviço"


def test_french_keeps_the_source_labels():
    with translation.override("fr"):
        assert str(RequestEvent.Kind.CANCELLED.label) == "Annulée"
        assert str(EveningRegistration.Status.CANCELLED.label) == "Annulée"
        assert str(AppointmentRequest.Status.CANCELLED_SERVICE.label) == "Annulée par le service"
