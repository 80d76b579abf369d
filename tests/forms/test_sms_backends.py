"""The text-message backends and send_sms(): console, in-memory, file, and Brevo against a
local fake server (tests/fake_sms_provider.py), never the internet."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from forms.notifications.sms import (
    PermanentSmsError,
    SmsMessage,
    TemporarySmsError,
    get_backend,
    send_sms,
)
from forms.notifications.sms.backends.brevo import SmsBackend as BrevoBackend

MOBILE = "+33612345678"
ARABIC = "CCAS de Villebelle: موعدكم مؤكد. المرجع KQW-7HM"


def test_console_backend_prints_the_masked_number_and_the_text(capsys):
    backend = get_backend("forms.notifications.sms.backends.console.SmsBackend")
    result = send_sms(SmsMessage(to=MOBILE, text="CCAS de Villebelle : RDV confirmé."), backend=backend)
    out = capsys.readouterr().out
    assert "SMS to +33 6 ** ** ** 78 (1 segment, GSM-7):\nCCAS de Villebelle : RDV confirmé.\n" in out
    assert "12345678" not in out
    assert result.segments == 1 and result.provider_id.startswith("console-")


def test_console_backend_counts_unicode_segments(capsys):
    backend = get_backend("forms.notifications.sms.backends.console.SmsBackend")
    send_sms(SmsMessage(to=MOBILE, text="ت" * 71), backend=backend)
    assert "(2 segments, UCS-2):" in capsys.readouterr().out


def test_default_backend_comes_from_settings(sms_outbox):
    result = send_sms(SmsMessage(to=MOBILE, text="Bonjour", reference="n1"))
    assert [(m.to, m.text, m.reference, m.sender) for m in sms_outbox] == [(MOBILE, "Bonjour", "n1", "CCAS")]
    assert result.segments == 1 and result.provider_id.startswith("locmem-")


def test_sender_defaults_to_the_setting_when_the_message_is_made(settings):
    settings.SMS_SENDER = "VILLEBELLE"
    assert SmsMessage(to=MOBILE, text="x").sender == "VILLEBELLE"


def test_file_backend_writes_one_file_per_message(tmp_path):
    backend = get_backend("forms.notifications.sms.backends.filebased.SmsBackend", file_path=tmp_path)
    send_sms(SmsMessage(to=MOBILE, text="Premier"), backend=backend)
    send_sms(SmsMessage(to=MOBILE, text="Second"), backend=backend)
    contents = sorted(path.read_text() for path in tmp_path.iterdir())
    assert len(contents) == 2
    assert all("+33 6 ** ** ** 78" in text and "12345678" not in text for text in contents)
    assert any("Premier" in text for text in contents) and any("Second" in text for text in contents)


@pytest.mark.parametrize("number", ["+33123456789", "0612345678", "not a number", ""])
def test_landlines_and_non_international_numbers_are_refused_for_good(sms_outbox, number):
    with pytest.raises(PermanentSmsError):
        send_sms(SmsMessage(to=number, text="Bonjour"))
    assert sms_outbox == []


def test_redirect_sends_every_message_to_the_staging_number_unchanged(sms_outbox, settings, caplog):
    settings.SMS_REDIRECT_TO = "+33798765432"
    with caplog.at_level(logging.INFO, logger="forms.notifications.sms"):
        send_sms(SmsMessage(to=MOBILE, text="CCAS de Villebelle : RDV confirmé.", reference="n7"))
    assert [(m.to, m.text, m.reference) for m in sms_outbox] == [
        ("+33798765432", "CCAS de Villebelle : RDV confirmé.", "n7")
    ]
    assert "+33 6 ** ** ** 78" in caplog.text and "+33 7 ** ** ** 32" in caplog.text
    assert "12345678" not in caplog.text and "98765432" not in caplog.text


def test_an_invalid_redirect_number_keeps_the_message_for_later(sms_outbox, settings):
    settings.SMS_REDIRECT_TO = "06 98 76 54 32"  # not E.164
    with pytest.raises(TemporarySmsError):
        send_sms(SmsMessage(to=MOBILE, text="Bonjour"))
    assert sms_outbox == []


def test_sending_is_logged_with_the_number_masked(sms_outbox, caplog):
    with caplog.at_level(logging.INFO, logger="forms.notifications.sms"):
        result = send_sms(SmsMessage(to=MOBILE, text="Bonjour", reference="n9"))
    assert f"SMS n9 to +33 6 ** ** ** 78 accepted as {result.provider_id} (segments: 1)" in caplog.text
    assert "12345678" not in caplog.text


def test_a_backend_refuses_options_it_does_not_know():
    with pytest.raises(TypeError):
        get_backend("forms.notifications.sms.backends.console.SmsBackend", strem=None)


def test_brevo_request_has_the_documented_shape(fake_sms_provider, settings):
    settings.SMS_CALLBACK_URL = "https://portail.example.fr/sms/reports/brevo/"
    result = send_sms(SmsMessage(to=MOBILE, text="CCAS de Villebelle : RDV confirmé.", reference="n42"))
    [request] = fake_sms_provider.requests
    assert (request.method, request.path) == ("POST", "/transactionalSMS/send")
    assert request.headers["api-key"] == "test-sms-api-key"
    assert request.headers["content-type"] == "application/json"
    body = request.json
    assert {k: body[k] for k in ("sender", "recipient", "content", "type", "unicodeEnabled", "tag")} == {
        "sender": "CCAS",
        "recipient": "33612345678",
        "content": "CCAS de Villebelle : RDV confirmé.",
        "type": "transactional",
        "unicodeEnabled": False,
        "tag": "n42",
    }
    web_url = urlsplit(body["webUrl"])
    assert web_url.path == "/sms/reports/brevo/"
    assert parse_qs(web_url.query) == {"secret": ["test-sms-webhook-secret"]}
    assert result.provider_id == "1001" and result.segments == 1


def test_brevo_sends_arabic_as_unicode_and_reads_the_segment_count(fake_sms_provider):
    result = send_sms(SmsMessage(to=MOBILE, text=ARABIC + " " + "ا" * 40))
    assert fake_sms_provider.requests[0].json["unicodeEnabled"] is True
    assert "webUrl" not in fake_sms_provider.requests[0].json  # no SMS_CALLBACK_URL in tests
    assert result.segments == 2


@pytest.mark.parametrize("status", [500, 502, 503, 429, 402])
def test_brevo_server_errors_and_rate_limits_are_temporary(fake_sms_provider, status):
    fake_sms_provider.answer_next(status)
    with pytest.raises(TemporarySmsError):
        send_sms(SmsMessage(to=MOBILE, text="Bonjour"))
    assert send_sms(SmsMessage(to=MOBILE, text="Bonjour")).provider_id  # the next try goes through


def test_brevo_timeout_is_temporary(fake_sms_provider, settings):
    settings.SMS_TIMEOUT = 0.3
    fake_sms_provider.hang_next()
    with pytest.raises(TemporarySmsError):
        send_sms(SmsMessage(to=MOBILE, text="Bonjour"))


def test_brevo_unreachable_is_temporary(settings):
    settings.SMS_API_URL = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(TemporarySmsError):
        send_sms(SmsMessage(to=MOBILE, text="Bonjour"), backend=BrevoBackend(timeout=1))


def test_brevo_invalid_number_is_permanent_and_logged_masked(fake_sms_provider, caplog):
    fake_sms_provider.fail_for(MOBILE, 400)
    with caplog.at_level(logging.INFO), pytest.raises(PermanentSmsError):
        send_sms(SmsMessage(to=MOBILE, text="Bonjour"))
    assert "+33 6 ** ** ** 78" in caplog.text and "12345678" not in caplog.text


def test_brevo_bad_key_is_permanent(fake_sms_provider, settings):
    settings.SMS_API_KEY = "wrong-key"
    with pytest.raises(PermanentSmsError):
        send_sms(SmsMessage(to=MOBILE, text="Bonjour"))


def test_brevo_redirect_reaches_the_provider_with_the_staging_number(fake_sms_provider, settings):
    settings.SMS_REDIRECT_TO = "+33798765432"
    send_sms(SmsMessage(to=MOBILE, text="Bonjour"))
    assert fake_sms_provider.requests[0].json["recipient"] == "33798765432"
