"""What text messages say and cost: every kind in every language with the longest demo school,
place and evening (segments, language, nothing that betrays the family), and the GSM-7
folding and segment arithmetic underneath."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import translation

from forms.demo import PLACES
from forms.models import AppointmentRequest
from forms.notifications.sms.text import encoding, fold_to_gsm, is_gsm7, render_sms, segments, short_when
from services.demo import EVENINGS, SCHOOLS
from services.schedule import PARIS
from tests.sms_limits import MARKERS, MAX_SEGMENTS, SOCIAL_WORK_WORDS

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LINK = "http://127.0.0.1:8000/r/AbCdEfGhIjKlMnOp"
CHILD, WORKER = "Yasmine", "Claire Leroy"
# A booked permanence's place is "<school>, <room>" (forms/demo.py); evenings are held at the
# town hall (services/demo.py, ensure_evenings).
LONGEST_PLACE = max([f"{school[1]}, {school[-1]}" for school in SCHOOLS] + list(PLACES.values()), key=len)
LONGEST_TITLE = max((evening[1] for evening in EVENINGS), key=len)
EVENING_PLACE = "Salle des fêtes de l'hôtel de ville"


def longest_when(language):
    """The longest short date of a week with two-digit days, in `language`."""
    week = [datetime(2026, 12, 14, 13, 30, tzinfo=UTC) + timedelta(days=n) for n in range(7)]
    return max((short_when(day, None, language) for day in week), key=len)


def variants(language):
    """(kind, context) for every kind and every branch of its template."""
    when = longest_when(language)
    common = {"link": LINK, "reference": "KQW-7HM", "child_first_name": CHILD, "worker_name": WORKER}
    appointment = {**common, "when": when, "place": LONGEST_PLACE}
    evening = {**common, "title": LONGEST_TITLE, "when": when, "place": EVENING_PLACE}
    yield "parent_confirmation", {**appointment, "has_slot": True}
    yield "parent_confirmation", {**appointment, "has_slot": True, "place": ""}
    yield "parent_confirmation", {**common, "has_slot": False, "when": "", "place": ""}
    for kind in ("parent_scheduled", "parent_reminder"):
        yield kind, appointment
        yield kind, {**appointment, "place": ""}
    for kind in ("parent_cancelled", "parent_cancelled_by_family", "parent_no_show"):
        yield kind, {**common, "when": when}
        yield kind, {**common, "when": ""}
    yield "evening_confirmation", {**evening, "waiting": False}
    yield "evening_confirmation", {**evening, "waiting": True}
    yield "evening_promoted", evening


CASES = [(language, kind, context) for language in LANGUAGES for kind, context in variants(language)]


@pytest.mark.parametrize(("language", "kind", "context"), CASES)
def test_every_message_is_short_in_its_language_and_betrays_nothing(language, kind, context):
    text = render_sms(kind, context, language)

    assert segments(text) <= MAX_SEGMENTS[language], (len(text), text)
    if language in {"fr", "en", "pt"}:
        assert encoding(text) == "GSM-7", text
    assert text.count(LINK) == 1
    assert text.startswith(settings.SMS_SERVICE_NAME)
    assert "KQW-7HM" in text
    if context.get("when"):
        assert fold_to_gsm(context["when"]) in text or context["when"] in text
    if context.get("place") and not context.get("waiting"):  # the waiting list's text names no place
        assert fold_to_gsm(context["place"]) in text or context["place"] in text

    lowered = text.lower()
    with translation.override(language):
        motives = [str(label).lower() for _value, label in AppointmentRequest.Reason.choices]
    for word in [*motives, *SOCIAL_WORK_WORDS, CHILD.lower(), WORKER.lower(), "leroy"]:
        assert fold_to_gsm(word) not in fold_to_gsm(lowered), (word, text)

    arabic_letters = re.findall(r"[\u0600-\u06FF]", text)
    if language == "ar":
        assert len(arabic_letters) >= 10
    else:
        assert not arabic_letters
        assert any(marker.lower() in lowered for marker in MARKERS[language]), text
    if language != "fr":
        assert text != render_sms(kind, context, "fr")
    if language == "fr":
        assert not re.search(r"\b(appointment|cancel|your)\b", lowered)
    assert "\n" not in text and "  " not in text and "&#" not in text


def test_the_longest_demo_data_is_really_long():
    """The case above is only a test of length if its data is the demo's longest."""
    assert len(LONGEST_PLACE) >= 70 and len(LONGEST_TITLE) >= 40


def test_french_text_is_folded_to_gsm7_only_where_needed():
    text = render_sms(
        "parent_confirmation",
        {"has_slot": True, "when": "mar. 9 déc. 14h30", "place": "Salle des maîtres", "reference": "KQW-7HM",
         "link": LINK},
        "fr",
    )  # fmt: skip
    assert text == (
        "CCAS de Villebelle : RDV confirmé le mar. 9 déc. 14h30, Salle des maitres. Réf. KQW-7HM. "
        f"Déplacer ou annuler : {LINK}"
    )


def test_arabic_and_turkish_are_not_folded():
    context = {"reference": "KQW-7HM", "link": LINK, "when": "9 Ara Sal 14:30", "place": "Salle 2"}
    turkish = render_sms("parent_reminder", context, "tr")
    assert "hatırlatma" in turkish and encoding(turkish) == "UCS-2"
    assert encoding(render_sms("parent_reminder", context, "ar")) == "UCS-2"


def test_plain_text_is_not_html_escaped():
    text = render_sms(
        "parent_reminder", {"when": "x", "place": "Salle d'accueil <B>", "reference": "R", "link": LINK}, "fr"
    )
    assert "Salle d'accueil <B>" in text


def test_unknown_language_falls_back_to_french():
    assert render_sms("parent_no_show", {"when": "", "reference": "R", "link": LINK}, "xx").startswith(
        "CCAS de Villebelle : nous ne vous avons pas vu"
    )


def test_service_name_comes_from_the_settings(settings):
    settings.SMS_SERVICE_NAME = "CCAS de Montreuil"
    assert render_sms("parent_no_show", {"reference": "R", "link": LINK}, "en").startswith("CCAS de Montreuil:")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "mar. 8 déc. 14h30"),
        ("en", "Tue 8 Dec 14:30"),
        ("pt", "ter. 8 dez. 14h30"),
        ("ar", "ثلاثاء 8/12 14:30"),
        ("tr", "8 Ara Sal 14:30"),
    ],
)
def test_short_when_in_paris_time(language, expected):
    assert short_when(datetime(2026, 12, 8, 13, 30, tzinfo=UTC), None, language) == expected


def test_short_when_follows_summer_time_and_takes_no_date():
    assert short_when(datetime(2026, 7, 1, 7, 0, tzinfo=UTC), None, "fr") == "mer. 1 juil. 9h00"
    assert short_when(datetime(2026, 7, 1, 9, 0, tzinfo=PARIS), None, "en") == "Wed 1 Jul 09:00"
    assert short_when(None, None, "fr") == ""


def test_fold_to_gsm():
    assert fold_to_gsm("Fête à l’école « Noël » – ça\u00a0commence… œuvre ÊTRE") == (
        'Fete à l\'école "Noel" - ca commence... oeuvre ETRE'
    )
    assert (
        fold_to_gsm("é è ù ì ò Ç É à ä ö ñ ü Ä Ö Ñ Ü ß Å å Ø ø Æ æ") == "é è ù ì ò Ç É à ä ö ñ ü Ä Ö Ñ Ü ß Å å Ø ø Æ æ"
    )
    assert fold_to_gsm("atenção, não, você, inscrição") == "atencao, nao, voce, inscricao"
    assert fold_to_gsm("موعد") == "موعد"  # nothing to fold to
    assert is_gsm7(fold_to_gsm("Fête à l’école « Noël » – ça\u00a0commence… œuvre ÊTRE"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("é Ç € [ ] { } ~ ^ | \\", True), ("ê", False), ("ç", False), ("ş", False), ("ı", False), ("موعد", False)],
)
def test_is_gsm7(text, expected):
    assert is_gsm7(text) is expected
    assert encoding(text) == ("GSM-7" if expected else "UCS-2")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 158 + "€", 1),  # € takes two septets: 160
        ("a" * 159 + "€", 2),  # 161
        ("[" * 80, 1),
        ("[" * 81, 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # the escape pair is not split: 152 | 2 + 151 | 1
        ("ا" * 70, 1),
        ("ا" * 71, 2),
        ("ا" * 134, 2),
        ("ا" * 135, 3),
        ("é" * 159 + "ş", 3),  # one Turkish letter makes the whole text UCS-2: 160 / 67
        ("ا" * 68 + "😀", 1),  # a surrogate pair: two UTF-16 code units, 70
        ("ا" * 69 + "😀", 2),
        ("ا" * 66 + "😀" + "ا" * 66, 3),  # the pair is not split: 66 | 2 + 65 | 1
    ],
)
def test_segments(text, count):
    assert segments(text) == count
