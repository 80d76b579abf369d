"""A page translated the way an editor does it, through wagtail-localize's admin views."""

from urllib.parse import urlencode

from django.urls import reverse
from wagtail_localize.models import StringSegment, Translation

from home.models import InformationPage
from tests.factories import InformationPageFactory
from tests.helpers import html_attributes, parse

ENGLISH = {
    "Ateliers pour les parents": "Workshops for parents",
    "ateliers-parents": "parent-workshops",
    "Chaque mois, un atelier à l'école.": "Every month, a workshop at school.",
    "Pour qui ?": "Who is it for?",
    "Pour les <b>parents</b> d'élèves.": "For <b>parents</b> of pupils.",
}


def test_page_translated_in_the_admin_is_served_at_its_language_url(
    french_home, locales, admin_client, client, committed
):
    page = InformationPageFactory(
        parent=french_home,
        title="Ateliers pour les parents",
        slug="ateliers-parents",
        intro="Chaque mois, un atelier à l'école.",
        body=[
            {"type": "heading", "value": {"text": "Pour qui ?", "level": "h2"}},
            {"type": "paragraph", "value": "<p>Pour les <b>parents</b> d'élèves.</p>"},
        ],
        publish=True,
    )
    english = locales["en"]

    # 1. Submit the page for translation into English.
    with committed():
        response = admin_client.post(
            reverse("wagtail_localize:submit_page_translation", args=[page.pk]), {"locales": [english.pk]}
        )
    assert response.status_code == 302
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=english)
    target = page.get_translation(english)

    # 2. Translate every string in the translation editor.
    segments = StringSegment.objects.filter(source=translation.source).select_related("string")
    assert {segment.string.data for segment in segments} == set(ENGLISH)
    for segment in segments:
        with committed():
            response = admin_client.put(
                reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
                urlencode({"value": ENGLISH[segment.string.data]}),
                content_type="application/x-www-form-urlencoded",
            )
        assert response.status_code in {200, 201}, response.content

    # 3. Publish from the translation editor (wagtail-localize takes over the page edit view).
    edit_url = reverse("wagtailadmin_pages:edit", args=[target.pk])
    with committed():
        response = admin_client.post(edit_url, {"action": "publish"})
    assert response.status_code == 302

    target = InformationPage.objects.get(pk=target.pk)
    assert target.live
    assert target.get_url() == "/en/parent-workshops/"
    response = client.get("/en/parent-workshops/")
    assert response.status_code == 200
    assert response.context["page"].pk == target.pk
    assert html_attributes(response) == {"lang": "en", "dir": "ltr"}
    main = parse(response).find("main")
    assert main.find("h1").get_text(strip=True) == "Workshops for parents"
    assert "For parents of pupils." in main.get_text(" ", strip=True).replace(" .", ".")
    # The French original is untouched.
    french = client.get("/ateliers-parents/")
    assert parse(french).find("main").find("h1").get_text(strip=True) == "Ateliers pour les parents"
