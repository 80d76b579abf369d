"""One renderer for every form a family fills in (forms.rendering): the booking and evening
forms draw their fields and their error summary with the same templates."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.urls import reverse
from django.utils import timezone

from forms.booking.forms import DetailsForm, ModeForm, SchoolForm
from forms.evenings.forms import EveningRegistrationForm
from forms.rendering import PUBLIC_FORM_RENDERER, PublicForm
from tests.factories import make_evening, make_evening_index, make_site
from tests.helpers import parse

REQUIRED = {"required": "Obligatoire."}


class Sample(PublicForm):
    name = forms.CharField(label="Nom", help_text="Votre nom", error_messages=REQUIRED)
    colour = forms.ChoiceField(
        label="Couleur", choices=[("r", "Rouge"), ("b", "Bleu")], widget=forms.RadioSelect, error_messages=REQUIRED
    )
    agree = forms.BooleanField(label="J'accepte", error_messages=REQUIRED)
    key = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Le formulaire a expiré."})


def html(bound):
    return BeautifulSoup(str(bound.as_field_group()), "html.parser")


def test_every_public_form_uses_the_public_renderer_and_other_forms_do_not(db):
    for form in [SchoolForm(), ModeForm(offer_school=True), DetailsForm(), EveningRegistrationForm(evening=None)]:
        assert form.renderer is PUBLIC_FORM_RENDERER
    # The Wagtail admin's forms and any other Django form keep Django's own renderer.
    assert not isinstance(forms.Form().renderer, type(PUBLIC_FORM_RENDERER))


def test_a_radio_group_is_a_fieldset_with_a_legend_and_a_text_field_a_label():
    form = Sample(data={})
    group = html(form["colour"])
    assert group.fieldset.legend.get_text(" ", strip=True).startswith("Couleur")
    assert [radio["id"] for radio in group.select("input[type=radio]")] == ["id_colour_0", "id_colour_1"]
    assert "id_colour_error" in group.fieldset["aria-describedby"]

    text = html(form["name"])
    assert text.fieldset is None
    assert text.label["for"] == "id_name"
    widget = text.select_one("input#id_name")
    assert widget["aria-invalid"] == "true"
    assert widget["aria-describedby"] == "id_name_helptext id_name_error"
    assert text.select_one("#id_name_error").get_text(strip=True).startswith("Erreur")


def test_the_summary_links_each_error_to_its_input_or_first_option_and_says_hidden_ones_plainly():
    form = Sample(data={})
    assert form.error_summary() == [
        ("", "", "Le formulaire a expiré."),
        ("id_name", "Nom", "Obligatoire."),
        ("id_colour_0", "Couleur", "Obligatoire."),
        ("id_agree", "J'accepte", "Obligatoire."),
    ]


def test_the_same_kind_of_field_has_the_same_markup_in_both_forms():
    data = {"email": "not an address"}
    booking, evening = DetailsForm(data=data), EveningRegistrationForm(data=data, evening=None)
    booking_field, evening_field = html(booking["email"]), html(evening["email"])

    def shape(soup):
        return [(tag.name, sorted(set(tag.attrs) - {"placeholder"}), tag.get("class")) for tag in soup.find_all(True)]

    assert shape(booking_field) == shape(evening_field)
    assert booking_field.select_one("input#id_email")["aria-describedby"] == "id_email_helptext id_email_error"
    assert evening_field.select_one("input#id_email")["aria-describedby"] == "id_email_helptext id_email_error"


@pytest.fixture
def evening(db):
    index = make_evening_index(make_site(), publish=True)
    return make_evening(index, "Les écrans en famille", day=timezone.localdate() + timedelta(days=10), publish=True)


def test_the_evening_error_summary_is_the_booking_one_and_takes_the_focus(client, evening):
    response = client.post(reverse("evening_register", kwargs={"evening_id": evening.pk}), {})

    page = parse(response)
    summary = page.select_one(".error-summary")
    assert summary["tabindex"] == "-1" and summary.has_attr("data-focus-on-load")
    assert summary["role"] == "alert"
    assert page.select_one('script[src$="js/booking.js"]') is not None
    assert summary.find("a", href="#id_name") is not None
    # The expired key is said in words, without a link to a hidden input.
    assert "Le formulaire a expiré" in summary.get_text()
    assert summary.find("a", href="#id_submission_key") is None
