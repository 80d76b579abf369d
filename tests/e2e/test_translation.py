"""An editor translates a page into Arabic with wagtail-localize in the admin, then the
Arabic page is served."""

import re
import uuid

from tests.e2e.journeys import admin_login, create_staff
from tests.factories import InformationPageFactory

ADMIN = {"width": 1280, "height": 900}
TITLE = "ورشة للآباء"


def test_editor_translates_a_page_into_arabic(page, db_access):
    from wagtail.models import Locale, Page

    from home.models import HomePage

    with db_access():
        home = HomePage.objects.get(locale__language_code="fr")
        source = InformationPageFactory(
            parent=home,
            title="Atelier des parents",
            slug=f"atelier-des-parents-{uuid.uuid4().hex[:6]}",
            intro="Un atelier chaque mois.",
            publish=True,
        )
        arabic = Locale.objects.get(language_code="ar")
    create_staff(db_access, "editeur-e2e", superuser=True)

    page.set_viewport_size(ADMIN)
    admin_login(page, "editeur-e2e")
    # The page's "Translate" action leads to wagtail-localize's submit view.
    page.goto(f"/admin/localize/submit/page/{source.pk}/")
    page.check(f"input[name=locales][value='{arabic.pk}']")
    page.shots("submit", full_page=False)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    target_pk = int(re.search(r"/admin/pages/(\d+)/edit/", page.url).group(1))

    # The translation editor: translate the title, save the string, publish in Arabic.
    page.get_by_role("button", name="Traduire").first.click()
    field = page.locator("main textarea").first
    field.fill(TITLE)
    page.get_by_role("button", name="Enregistrer").first.click()
    page.get_by_text(TITLE).first.wait_for()
    page.get_by_text("Enregistrement").wait_for(state="hidden")
    page.shots("translated", full_page=False)
    page.locator("button[name=action][value=publish]").click()
    page.wait_for_load_state()
    page.shots("published", full_page=False)

    with db_access():
        target = Page.objects.get(pk=target_pk).specific
        assert target.locale == arabic
        assert target.live
        assert target.title == TITLE
        url = target.url
    assert url.startswith("/ar/")
    response = page.goto(url)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("main h1").inner_text().strip() == TITLE
    page.shots("served")
