"""Issue 13's "done when", in a browser: on a 360 × 740 phone in Arabic, a family opens its
appointment page from the link, moves the appointment to another day, then cancels it, all by
tapping; the worker's queue has the move and the cancellation on the request's timeline."""

import re

import pytest
from django.utils import translation

from tests.e2e.journeys import assert_html, school

PHONE = {"width": 360, "height": 740}
DETAILS = {
    "reason": "schooling",
    "requester": "parent",
    "parent_name": "Amina Benali",
    "phone": "+33612345678",
    "email": "amina-move@example.org",
}


@pytest.fixture
def phone(demo_server, browser):
    """A touch phone, so that taps are real taps (not keyboard presses or mouse clicks)."""
    context = browser.new_context(
        base_url=demo_server, viewport=PHONE, has_touch=True, is_mobile=True, timezone_id="Europe/Paris"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_an_arabic_family_moves_then_cancels_its_appointment_by_tapping(phone, db_access):
    from forms.booking.create import create_request
    from forms.booking.forms import new_submission_key
    from forms.booking.slots import free_slots
    from forms.links import cancel_path
    from forms.models import AppointmentRequest, RequestEvent
    from services.schedule import PARIS

    page = phone
    source = school(db_access, "paul-langevin")
    with db_access():
        slots = free_slots(source)
        request = create_request(
            school=source,
            mode="school",
            slot=slots[len(slots) // 2],
            data=DETAILS,
            language="ar",
            captcha=AppointmentRequest.Captcha.NOT_CONFIGURED,
            submission_key=new_submission_key(),
        )
        with translation.override("ar"):
            path = cancel_path(request)
    old_day = request.slot_start.astimezone(PARIS).date()

    page.goto(path)
    assert_html(page, "ar")
    assert_fits(page)
    page.locator("main a[href$='/deplacer/']").tap()

    page.wait_for_url(re.compile(r"/deplacer/$"))
    assert_html(page, "ar")
    assert_fits(page)
    # Another day than the appointment's: the first slot of a later day.
    other = page.locator("fieldset.booking__day").filter(has_not=page.locator(f"time[datetime='{old_day:%Y-%m-%d}']"))
    other.first.locator("label").first.tap()
    page.locator("main form button[type=submit]").tap()

    page.wait_for_url(re.compile(r"/deplacer/\?slot="))
    assert_fits(page)
    page.locator("main form[method=post] button[type=submit]").tap()

    page.wait_for_url(re.compile(r"\?deplace=1$"))
    assert_fits(page)
    assert page.locator("main [role=status]").count() == 1
    with db_access():
        request.refresh_from_db()
        assert request.slot_start.astimezone(PARIS).date() != old_day
        assert request.events.filter(kind=RequestEvent.Kind.RESCHEDULED, data__by="family").count() == 1

    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").tap()
    assert_fits(page)
    with db_access():
        request.refresh_from_db()
        assert request.status == AppointmentRequest.Status.CANCELLED_FAMILY
        kinds = list(request.events.values_list("kind", flat=True))
        assert RequestEvent.Kind.RESCHEDULED in kinds and RequestEvent.Kind.CANCELLED in kinds
