"""The booking journey with the keyboard only: Tab, Shift+Tab, Enter, Space and arrow keys,
with a visible focus on every control the family lands on."""

import re

from tests.e2e.journeys import assert_step, fresh_limits, school

FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {outline, shadow: style.boxShadow !== "none", tag: element.tagName, id: element.id};
}"""


def focused(page, selector):
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


def assert_focus_visible(page):
    style = page.evaluate(FOCUS_STYLE)
    assert style["outline"] or style["shadow"], style


def tab_to(page, selector, limit=60, backwards=False):
    """Press Tab (or Shift+Tab) until `selector` has the focus; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused(page, selector):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{selector} never got the focus with the keyboard")


def press_and_wait(page, key, url_pattern):
    with page.expect_navigation(url=re.compile(url_pattern)):
        page.keyboard.press(key)


def test_keyboard_only_booking(page, db_access):
    from forms.models import AppointmentRequest

    fresh_limits()
    source = school(db_access, "paul-langevin")
    page.goto(source.url)
    tab_to(page, f"a[href*='rendez-vous/?ecole={source.pk}']")
    page.shots("school-link-focused")
    press_and_wait(page, "Enter", r"/rendez-vous/modalite/\?ecole=\d+$")
    assert_step(page, "fr", "modalite")

    # Radio group: Tab enters it, arrows move and check, Space checks.
    tab_to(page, "input[name=mode]")
    page.keyboard.press("ArrowDown")
    assert focused(page, "input[name=mode][value=ccas]:checked")
    page.keyboard.press("ArrowUp")
    assert focused(page, "input[name=mode][value=school]:checked")
    page.keyboard.press("Space")
    assert_focus_visible(page)
    page.shots("modalite-focused")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page, "Enter", r"/rendez-vous/creneau/$")

    tab_to(page, "input[name=slot]")
    assert focused(page, "#id_slot_0")
    page.keyboard.press("Space")
    assert page.is_checked("#id_slot_0")
    tab_to(page, "main form button[type=submit]")
    # Shift+Tab goes back to the chosen slot, Tab returns to the button.
    tab_to(page, "#id_slot_0", backwards=True)
    tab_to(page, "main form button[type=submit]")
    page.shots("creneau-focused")
    press_and_wait(page, "Enter", r"/rendez-vous/coordonnees/$")

    tab_to(page, "#id_reason")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_reason") != ""
    tab_to(page, "#id_parent_name")
    page.keyboard.type("Mehmet Kaya")
    tab_to(page, "#id_phone")
    page.keyboard.type("06 11 22 33 44")
    tab_to(page, "#id_email")
    page.keyboard.type("keyboard@example.org")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    assert page.is_checked("#id_consent")
    page.shots("coordonnees-focused")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page, "Enter", r"/rendez-vous/recapitulatif/$")

    tab_to(page, "main form button[type=submit]")
    page.shots("recapitulatif-focused")
    press_and_wait(page, "Enter", r"/rendez-vous/confirmation/[^/]+/$")
    reference = page.locator(".booking__reference").inner_text().strip()
    tab_to(page, "a[href$='.ics']")
    page.shots("confirmation-focused")
    with db_access():
        request = AppointmentRequest.objects.get(reference=reference)
        assert request.slot_start is not None
        assert request.parent_name == "Mehmet Kaya"
        assert request.assigned_worker_id == source.referent_id
