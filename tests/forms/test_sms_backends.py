"""The text-message backends and send_sms(): console, in-memory, file, Brevo (against a fake server)."""

from forms.notifications.sms import SmsMessage, get_backend, send_sms

MOBILE = "+33612345678"


def test_console_backend_prints_the_masked_number_and_the_text(capsys):
    backend = get_backend("forms.notifications.sms.backends.console.SmsBackend")
    result = send_sms(SmsMessage(to=MOBILE, text="CCAS de Villebelle : RDV confirmé."), backend=backend)
    out = capsys.readouterr().out
    assert "SMS to +33 6 ** ** ** 78 (1 segment, GSM-7):\nCCAS de Villebelle : RDV confirmé.\n" in out
    assert "12345678" not in out
    assert result.segments == 1 and result.provider_id


def test_locmem_backend_keeps_the_message_in_the_outbox(sms_outbox):
    result = send_sms(SmsMessage(to=MOBILE, text="Bonjour", reference="n1"))
    assert [(m.to, m.text, m.reference, m.sender) for m in sms_outbox] == [(MOBILE, "Bonjour", "n1", "CCAS")]
    assert result.segments == 1
