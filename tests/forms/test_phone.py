"""One phone rule (forms.phone) for every form and for the statistics."""

import pytest
from django.core.exceptions import ValidationError

from forms.phone import for_display, same_number_key, to_e164, validated_e164


@pytest.mark.parametrize(
    "typed",
    ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "+33 6 12 34 56 78", "0033 6 12 34 56 78", " 06-12-34-56-78 "],
)
def test_a_french_number_typed_any_usual_way_is_stored_in_e164(typed):
    assert to_e164(typed) == validated_e164(typed) == "+33612345678"


def test_a_foreign_number_keeps_its_country_code():
    assert to_e164("+90 532 123 45 67") == "+905321234567"


@pytest.mark.parametrize("typed", ["", "12", "06 12", "not a number", "+33 1"])
def test_what_is_not_a_phone_number_is_refused_with_a_way_to_fix_it(typed):
    assert to_e164(typed) is None
    with pytest.raises(ValidationError) as refused:
        validated_e164(typed)
    assert refused.value.code == "invalid"
    assert "06 12 34 56 78" in str(refused.value.messages[0])


def test_a_stored_number_is_shown_nationally_in_france_and_internationally_elsewhere():
    assert for_display("+33612345678") == "06 12 34 56 78"
    assert for_display("+905321234567") == "+90 532 123 45 67"
    assert for_display("garbage") == "garbage"


def test_one_number_written_several_ways_gives_one_key_and_two_numbers_two_keys():
    keys = {same_number_key(raw) for raw in ["06 11 22 33 44", "+33611223344", "0033 6 11 22 33 44", "33611223344"]}
    assert keys == {"+33611223344"}
    assert same_number_key("06 11 22 33 45") != same_number_key("06 11 22 33 44")
    assert same_number_key("12-34") == "1234"
    assert same_number_key("") == ""


@pytest.mark.parametrize("typed", ["+33 6 12 34 56 78", "06 12 34 56 78", "+90 532 123 45 67"])
def test_the_booking_and_evening_forms_store_a_number_the_same_way(typed):
    from forms.booking.forms import DetailsForm
    from forms.evenings.forms import EveningRegistrationForm

    booking = DetailsForm(data={"phone": typed})
    evening = EveningRegistrationForm(data={"phone": typed}, evening=None)
    booking.is_valid(), evening.is_valid()

    assert booking.cleaned_data["phone"] == evening.cleaned_data["phone"] == to_e164(typed)


def test_the_booking_and_evening_forms_refuse_a_wrong_number_with_the_same_message():
    from forms.booking.forms import DetailsForm
    from forms.evenings.forms import EveningRegistrationForm

    booking = DetailsForm(data={"phone": "12"})
    evening = EveningRegistrationForm(data={"phone": "12"}, evening=None)

    assert booking["phone"].errors == evening["phone"].errors
    assert len(booking["phone"].errors) == 1
