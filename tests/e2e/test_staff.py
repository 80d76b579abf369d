"""Staff journeys in the Wagtail admin: a worker schedules a new request of her queue; the
communication staff cannot reach it."""

import re
from datetime import timedelta

from tests.e2e.journeys import admin_login, create_staff, fresh_limits, school

ADMIN = {"width": 1280, "height": 800}


def new_request(db_access, slug, name):
    """A request without a slot, as the booking flow stores it (routed to the school's referent)."""
    from forms.booking.create import create_request
    from forms.booking.forms import new_submission_key
    from forms.models import AppointmentRequest

    source = school(db_access, slug)
    data = {
        "reason": "family",
        "requester": "parent",
        "parent_name": name,
        "phone": "+33612345678",
        "email": "",
        "language": "tr",
        "interpreter_needed": True,
        "child_first_name": "",
        "child_class": "",
        "message": "",
        "availabilities": "Le mardi matin",
    }
    with db_access():
        return create_request(
            school=source,
            mode=AppointmentRequest.Mode.PHONE,
            slot=None,
            data=data,
            language="tr",
            captcha=AppointmentRequest.Captcha.NOT_CONFIGURED,
            submission_key=new_submission_key(),
        )


def test_worker_schedules_a_new_request_and_communication_cannot_see_it(page, browser, demo_server, db_access):
    from forms.models import AppointmentRequest
    from services.schedule import today

    fresh_limits()
    request = new_request(db_access, "louise-michel", "Elif Aydin")
    with db_access():
        assert request.assigned_worker.public_name == "Mme Claire Leroy"
    create_staff(db_access, "referente")
    create_staff(db_access, "communication")

    page.set_viewport_size(ADMIN)
    admin_login(page, "referente")
    page.goto("/admin/demandes/")
    page.shots("queue", full_page=False)
    row_link = page.locator(f"a[href$='/admin/demandes/{request.pk}/']").first
    assert row_link.is_visible()
    row_link.click()
    page.wait_for_url(re.compile(rf"/admin/demandes/{request.pk}/$"))
    assert request.reference in page.locator("main").inner_text()
    page.shots("request")

    # A day and time of its own (the data persists between runs): no clash with her agenda.
    day = today() + timedelta(days=20 + request.pk % 40)
    page.locator("details.request-form summary", has_text="Fixer un rendez-vous").click()
    page.fill("#id_schedule-day", day.isoformat())
    page.fill("#id_schedule-time", "17:45")
    page.fill("#id_schedule-place", "CCAS, bureau 2")
    page.shots("schedule-form", full_page=False)
    with page.expect_navigation():
        page.locator("form[action$='/schedule/'] button[type=submit]").click()
    assert re.search(rf"/admin/demandes/{request.pk}/$", page.url), page.locator("main").inner_text()[:600]
    page.shots("scheduled", full_page=False)
    with db_access():
        request.refresh_from_db()
        assert request.status == AppointmentRequest.Status.SCHEDULED
        assert request.slot_start.date() == day
        assert request.place == "CCAS, bureau 2"

    # The communication staff: no queue, no request, no reference anywhere in the admin.
    context = browser.new_context(base_url=demo_server, viewport=ADMIN, locale="fr-FR", timezone_id="Europe/Paris")
    try:
        other = context.new_page()
        admin_login(other, "communication")
        assert request.reference not in other.content()
        assert other.locator("a[href*='/admin/demandes/']").count() == 0
        for path in (f"/admin/demandes/{request.pk}/", "/admin/demandes/", f"/admin/demandes/{request.pk}/historique/"):
            response = other.goto(path)
            assert response.status in (403, 404), path
            assert request.reference not in other.content()
            assert "Elif Aydin" not in other.content()
    finally:
        context.close()


def test_a_social_worker_enrols_her_authenticator_app_at_her_first_login(page, demo_server, db_access):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.e2e.journeys import PASSWORD
    from tests.helpers import totp_code

    create_staff(db_access, "benali")
    with db_access():
        TOTPDevice.objects.filter(user__username="benali").delete()

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/admin/login/")
    page.fill("#id_username", "benali")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/two-factor/enrol/"))
    assert page.locator("h1").inner_text() == "Activer la double authentification"
    assert page.locator("figure.two-factor-qr svg").is_visible()
    page.shots("two-factor-enrol")
    secret = page.locator("code.two-factor-secret").inner_text()
    page.fill("#id_code", "000000")
    page.locator("form button[type=submit]").first.click()
    assert "Ce code est incorrect" in page.locator(".messages, .error-message").first.inner_text() or (
        "Ce code est incorrect" in page.content()
    )
    # After the wrong code, the next try waits a second (django-otp's throttle).
    page.wait_for_timeout(1100)
    page.fill("#id_code", totp_code(secret))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert "Double authentification activée." in page.content()
    with db_access():
        assert TOTPDevice.objects.get(user__username="benali").confirmed
