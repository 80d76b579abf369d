"""Which numbers can receive a text message, and how a number shows in logs and consoles."""

import pytest

from forms.phone import is_mobile, mask_phone


@pytest.mark.parametrize(
    ("e164", "mobile"),
    [
        ("+33612345678", True),  # French 06
        ("+33752345678", True),  # French 07
        ("+33123456789", False),  # Paris landline
        ("+33987654321", False),  # French 09 (box)
        ("+905321234567", True),  # Turkish mobile
        ("+212612345678", True),  # Moroccan mobile
        ("+351912345678", True),  # Portuguese mobile
        ("+12015550123", True),  # US: FIXED_LINE_OR_MOBILE, cannot be told apart
        ("0612345678", False),  # not E.164
        ("+3361234", False),  # too short
        ("", False),
        ("garbage", False),
    ],
)
def test_is_mobile(e164, mobile):
    assert is_mobile(e164) is mobile


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+33612345678", "+33 6 ** ** ** 78"),
        ("+905321234567", "+90 5 * ** ** ** 67"),
        ("+212612345678", "+212 6 ** ** ** 78"),
        ("0612345678", "0 * ** ** ** 78"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_country_first_digit_and_last_two(e164, masked):
    assert mask_phone(e164) == masked
