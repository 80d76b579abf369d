"""Phone numbers, read and written by `phonenumbers` (Google's libphonenumber), in one place.

Numbers are stored in E.164 (+33612345678). A French number may be typed without +33, in
any usual spacing; a foreign one needs its country code (+90 532 123 45 67)."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "FR"
INVALID_PHONE = _("Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78.")


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None when `raw` is not a valid phone number."""
    try:
        number = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validated_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """What a form stores: the number in E.164; a ValidationError saying how to fix it otherwise."""
    e164 = to_e164(raw, region)
    if e164 is None:
        raise ValidationError(INVALID_PHONE, code="invalid")
    return e164


def for_display(e164: str) -> str:
    """How a stored number is shown back: national format in France, international elsewhere."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def same_number_key(raw: str) -> str:
    """A key equal for one number however it was written (06…, +33 6…, 0033 6…): E.164 for a
    valid number, its digits otherwise ("" for none). The statistics count families with it."""
    return to_e164(raw) or re.sub(r"\D", "", raw or "")


def is_mobile(e164: str) -> bool:
    """Whether a text message can reach the number: a mobile (French 06/07), or a foreign
    number whose plan does not tell mobiles from landlines (FIXED_LINE_OR_MOBILE, e.g. the US)."""
    try:
        number = phonenumbers.parse(e164 or "", None)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    return phonenumbers.number_type(number) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def mask_phone(e164: str) -> str:
    """A number as logs and consoles show it: country code, first national digit and last two
    digits, the rest starred ("+33 6 ** ** ** 78"). Never the number in full."""
    try:
        number = phonenumbers.parse(e164 or "", None)
        country, national = f"+{number.country_code}", str(number.national_number)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", e164 or "")
        if len(digits) < 4:
            return "*" * len(digits)
        country, national = "", digits
    if len(national) < 4:
        return f"{country} {'*' * len(national)}".strip()
    middle = "*" * (len(national) - 3)
    pairs = " ".join(middle[max(i - 2, 0) : i] for i in range(len(middle), 0, -2)[::-1])
    return f"{country} {national[0]} {pairs} {national[-2:]}".strip()
