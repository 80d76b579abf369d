"""A 360 x 740 phone in mobile emulation (touch, `is_mobile`), in French and Arabic: nothing wider
than the screen on any booking step with a 40-character e-mail address and a long school name,
the send button answers a real tap, the heading and first action are on the first screen, and
200 % text (emulated by `html { font-size: 200% }` injected into the page: every size in
site.css is in rem or em, as Chromium's text zoom would scale them) never scrolls sideways.

The long school is added to the demo once for this module (French page and an Arabic
translation); its permanences keep their French place in Arabic, as an untranslated row would."""

import re

import pytest

from tests.e2e.journeys import fill_details, fresh_limits, open_evening_form, prefix

LONG_SLUG = "ecole-tres-long-nom-e2e"
LONG_NAME = "École maternelle et élémentaire d'application Marie-Louise-Antoinette-de-Saint-Exupéry-Villeneuve"
LONG_NAME_AR = "مدرسة الحضانة والابتدائية التطبيقية ماري-لويز-أنطوانيت-دو-سانت-إكزوبيري-فيلنوف"
LONG_PLACE = "Salle polyvalente du bâtiment principal, premier étage au fond du couloir"
EMAIL = "marie-christine.dupont-lefebvre@ccas.org"  # 40 characters
LANGUAGES = ["fr", "ar"]

WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : "");
      wide.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


@pytest.fixture(scope="module")
def long_school(demo_server, db_access):
    """A bookable school with a long name, every weekday but Wednesday, its own referent."""
    from services.models import SchoolIndexPage, SchoolPage
    from tests.factories import make_school, make_worker, permanence, translate_page

    with db_access():
        school = SchoolPage.objects.filter(slug=LONG_SLUG, locale__language_code="fr").first()
        if school is None:
            index = SchoolIndexPage.objects.get(locale__language_code="fr")
            school = make_school(
                index,
                LONG_NAME,
                slug=LONG_SLUG,
                referent=make_worker(public_name="Mme Anne-Sophie Delacroix-Montmorency"),
                permanences=[
                    permanence(weekday=day, start="08:30", end="12:00", place=LONG_PLACE) for day in (1, 2, 4, 5)
                ],
                publish=True,
            )
            translate_page(school, "ar", title=LONG_NAME_AR)
        return school


def assert_fits(page, label):
    found = page.evaluate(WIDER_THAN_SCREEN)
    assert found["width"] == page.viewport_size["width"] == 360, (label, found)
    assert found["wide"] == [] and found["scrollWidth"] <= found["width"], (label, found)


def assert_on_first_screen(page, label, *selectors):
    """Each selector's first visible match ends inside the first 740 px (the page not scrolled)."""
    page.evaluate("window.scrollTo(0, 0)")
    for selector in selectors:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, (label, selector)
        assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], (label, selector, box)


def submit(page, tap=True):
    button = page.locator("main form button[type=submit]")
    with page.expect_navigation():
        button.tap() if tap else button.click()


def assert_at(page, language, step):
    assert re.search(rf"{prefix(language)}/rendez-vous/{step}/$", page.url), page.url


FIRST_CHOICE = "main form :is(select, input:not([type=hidden]), textarea)"
# What each booking step offers first, under its heading.
FIRST_ACTION = {
    "ecole": FIRST_CHOICE,
    "modalite": FIRST_CHOICE,
    "creneau": FIRST_CHOICE,
    "coordonnees": FIRST_CHOICE,
    "recapitulatif": "main .booking__summary a",
    "confirmation": ".booking__reference",
}


def walk_the_booking(page, db_access, school, language, tap=True):
    """Book `school` by tapping, yielding each step's name once the page is there (the
    recapitulatif's send button is tapped after the yield). tap=False clicks instead (no touch)."""

    def press(locator):
        return locator.tap() if tap else locator.click()

    fresh_limits()
    p = prefix(language)
    page.goto(f"{p}/rendez-vous/")
    assert_at(page, language, "ecole")
    yield "ecole"
    page.select_option("#id_school", str(school.pk))
    submit(page, tap=tap)

    assert_at(page, language, "modalite")
    yield "modalite"
    press(page.locator("input[name=mode][value=school]"))
    submit(page, tap=tap)

    assert_at(page, language, "creneau")
    yield "creneau"
    press(page.locator("#id_slot_0"))
    submit(page, tap=tap)

    assert_at(page, language, "coordonnees")
    fill_details(page, name="Marie-Christine Dupont-Lefebvre", email=EMAIL)
    yield "coordonnees"
    submit(page, tap=tap)

    assert_at(page, language, "recapitulatif")
    with page.expect_navigation():
        yield "recapitulatif"
    page.wait_for_url(re.compile(rf"{p}/rendez-vous/confirmation/[^/]+/$"))
    yield "confirmation"


def tap_send(page):
    send = page.locator("main form button[type=submit]")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button[type=submit]') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit, "the middle of the send button belongs to another element"
    # A real tap (touch events), not a keyboard press: Playwright refuses to tap a covered button.
    send.tap()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_booking_step_fits_the_phone_and_the_send_button_takes_a_tap(
    touch_phone, db_access, long_school, language
):
    from forms.models import AppointmentRequest

    assert len(EMAIL) == 40
    for step in walk_the_booking(touch_phone, db_access, long_school, language):
        touch_phone.shots(f"{language}-{step}")
        assert_fits(touch_phone, step)
        if step == "recapitulatif":
            assert EMAIL in touch_phone.locator(".booking__summary").inner_text()
            tap_send(touch_phone)
    reference = touch_phone.locator(".booking__reference").inner_text().strip()
    with db_access():
        request = AppointmentRequest.objects.get(reference=reference)
        assert request.school_id == long_school.pk
        assert request.email == EMAIL


@pytest.mark.parametrize("language", LANGUAGES)
def test_heading_and_first_action_are_on_the_first_screen(touch_phone, db_access, long_school, language):
    page = touch_phone
    p = prefix(language)
    page.goto(f"{p}/")
    page.shots(f"{language}-home", full_page=False)
    assert_on_first_screen(page, "home", "main h1", "main form.finder input[name=q]")

    page.fill("main form.finder input[name=q]", "exupery")
    with page.expect_navigation():
        page.locator("main form.finder button[type=submit]").tap()
    assert "q=exupery" in page.url
    page.shots(f"{language}-finder", full_page=False)
    assert_on_first_screen(page, "finder", "main h1", "main .card-list .card h2 a")

    with page.expect_navigation():
        page.locator("main .card-list .card h2 a").first.tap()
    page.shots(f"{language}-school", full_page=False)
    assert_on_first_screen(page, "school", "main h1", "main a.button[href*='rendez-vous']")

    for step in walk_the_booking(page, db_access, long_school, language):
        page.shots(f"{language}-{step}", full_page=False)
        assert_on_first_screen(page, step, "main h1", FIRST_ACTION[step])
        if step == "recapitulatif":
            tap_send(page)


def test_the_menus_open_without_javascript(demo_server, browser):
    context = browser.new_context(
        base_url=demo_server, viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/ar/")
    menu = page.locator("nav.main-menu")
    assert not menu.is_visible()
    page.locator(".header-toggle--menu > summary").click()
    assert menu.is_visible()
    assert menu.locator("a").first.is_visible()
    languages = page.locator("nav.language-switcher")
    assert not languages.is_visible()
    page.locator(".header-toggle--languages > summary").click()
    with page.expect_navigation():
        languages.locator("a[hreflang=fr]").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    # A wide screen shows both lists, no toggle.
    page.set_viewport_size({"width": 1024, "height": 768})
    assert page.locator("nav.main-menu").is_visible()
    assert page.locator("nav.language-switcher").is_visible()
    assert not page.locator(".header-toggle--menu > summary").is_visible()
    context.close()


# Chromium's text zoom has no switch in Playwright: the test doubles the root font size instead
# (`html { font-size: 200% }`, set through the CSSOM as the CSP forbids an injected <style>),
# which every rem and em in site.css follows, as a phone's text-size setting does.
DOUBLE_TEXT = "document.documentElement.style.setProperty('font-size', '200%', 'important')"
PAGES_AT_200 = [
    "/",
    "/missions/",
    "/ecoles/",
    "/ecoles/?q=jules",
    "/ecoles/jules-ferry-elementaire/",
    "/actions-collectives/",
    "/soirees-thematiques/",
    "/soirees-thematiques/le-sommeil-des-enfants/",
    "/page-qui-n-existe-pas/",
    "/orienter-une-famille/",
]


def assert_fits_at_200(page, label):
    page.evaluate(DOUBLE_TEXT)
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 32
    assert_fits(page, f"{label} at 200 %")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_sideways_scroll_at_200_percent_text(touch_phone, db_access, long_school, language):
    page = touch_phone
    p = prefix(language)
    for path in PAGES_AT_200:
        page.goto(f"{p}{path}")
        assert_fits_at_200(page, path)
    for path in [long_school.url, *_action_and_evening_form(db_access)]:
        page.goto(f"{p}{path}" if path.startswith("/soirees/") else path)
        assert_fits_at_200(page, path)
    with db_access():
        page.goto(long_school.get_translation(_locale(language)).url)
    assert_fits_at_200(page, "long school")
    page.shots(f"{language}-school-200", full_page=False)
    for step in walk_the_booking(page, db_access, long_school, language):
        assert_fits_at_200(page, step)
        page.shots(f"{language}-{step}-200", full_page=False)
        if step == "recapitulatif":
            tap_send(page)


def _locale(language):
    from wagtail.models import Locale

    return Locale.objects.get(language_code=language)


def _action_and_evening_form(db_access):
    """A collective action's page (French) and an evening's registration form (any language)."""
    from services.models import CollectiveActionPage, ThematicEveningPage

    with db_access():
        action = CollectiveActionPage.objects.live().filter(locale__language_code="fr").first()
        evening = ThematicEveningPage.objects.get(slug="le-sommeil-des-enfants", locale__language_code="fr")
        return [action.url, f"/soirees/{evening.pk}/inscription/"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_names_itself_and_the_next_and_the_slots_show_several_days(
    touch_phone, db_access, long_school, language
):
    from django.utils import translation

    from forms.booking.views import STEP_TITLES, STEPS

    page = touch_phone
    with translation.override(language):
        titles = {step: str(title) for step, title in STEP_TITLES.items()}
    for step in walk_the_booking(page, db_access, long_school, language):
        if step == "confirmation":
            break
        progress = page.locator(".booking__progress").inner_text()
        number = STEPS.index(step) + 1
        assert str(number) in progress and titles[step] in progress, progress
        if number < len(STEPS):
            assert titles[STEPS[number]] in progress, progress
        assert_on_first_screen(page, step, ".booking__progress")
        if step == "creneau":
            days = page.locator(".booking__day h2")
            assert days.count() >= 3
            # Up to seven half-hour slots a morning: the first two days are both on the first screen.
            assert_on_first_screen(page, step, ".booking__day:nth-of-type(1) h2", ".booking__day:nth-of-type(2) h2")
            sizes = page.locator(".booking__day").evaluate_all(
                "days => days.map(d => d.querySelectorAll('.slot-list li').length)"
            )
            assert max(sizes) >= 5, sizes
        if step == "recapitulatif":
            tap_send(page)


def test_breadcrumb_separators_point_along_the_reading_order(touch_phone, db_access, long_school):
    """ "›" in French, "‹" in Arabic, each drawn left to right so that bidi mirroring (which
    flips these two characters in right-to-left text) never turns it back."""
    page = touch_phone
    separator = "getComputedStyle(document.querySelector('.breadcrumbs li + li'), '::before')"
    for language, glyph in (("fr", "›"), ("ar", "‹")):
        with db_access():
            url = long_school.get_translation(_locale(language)).url
        page.goto(url)
        style = page.evaluate(f"(() => {{ const s = {separator}; return [s.content, s.direction]; }})()")
        assert style == [f'"{glyph}"', "ltr"], (language, style)


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_summary_links_keep_the_label_in_view_and_the_evening_summary_comes_first(
    touch_phone, db_access, long_school, language
):
    page = touch_phone
    check_error_summary_link(page, db_access, long_school, language)

    open_evening_form(page, db_access, language)
    page.fill("#id_phone", "12")
    submit(page)
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert_on_first_screen(page, "evening error", ".error-summary h2")
    page.shots(f"{language}-evening-error", full_page=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_javascript_the_summary_link_still_shows_the_label(
    demo_server, browser, db_access, long_school, language
):
    context = browser.new_context(
        base_url=demo_server, viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    page.shots = lambda *args, **kwargs: None
    check_error_summary_link(page, db_access, long_school, language, tap=False)
    context.close()


def check_error_summary_link(page, db_access, long_school, language, tap=True):
    """A failed contact step, then its summary's link to the phone field: the label stays in view."""
    for step in walk_the_booking(page, db_access, long_school, language, tap=tap):
        if step == "coordonnees":
            page.fill("#id_phone", "12")  # not a phone number
            page.fill("#id_message", "Bonjour")
            break
    submit(page, tap=tap)
    summary = page.locator(".error-summary")
    assert_on_first_screen(page, "coordonnees error", ".error-summary h2")
    link = summary.locator("a[href='#id_phone']")
    if tap:
        link.tap()
        page.wait_for_function("document.activeElement.id === 'id_phone'")
    else:
        link.click()
        page.wait_for_url(re.compile("#id_phone$"))
    label = page.locator("label[for=id_phone]").bounding_box()
    field = page.locator("#id_phone").bounding_box()
    assert label["y"] >= 0, "the label went off the top of the screen"
    assert field["y"] + field["height"] <= page.viewport_size["height"]
    page.shots(f"{language}-summary-link", full_page=False)
