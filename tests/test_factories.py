"""The factories build what the tests rely on: valid objects, pages where an editor puts them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from forms.models import AppointmentRequest, BookingSettings, RequestEvent
from forms.records.permissions import WORKERS
from services.models import SchoolIndexPage, ThematicEveningIndexPage
from tests.factories import (
    PASSWORD,
    AppointmentRequestFactory,
    BookingSettingsFactory,
    ClosurePeriodFactory,
    EveningRegistrationFactory,
    NotificationFactory,
    SchoolPageFactory,
    SocialWorkerFactory,
    ThematicEveningPageFactory,
    UserFactory,
    WorkerAbsenceFactory,
    make_site,
    permanence,
)

pytestmark = pytest.mark.django_db


def test_a_school_goes_under_the_sites_school_index_with_its_permanences():
    first = SchoolPageFactory(permanences=[permanence(weekday=2), {"weekday": 4, "start": "13:30", "end": "16:30"}])
    second = SchoolPageFactory()
    index = first.get_parent().specific
    assert isinstance(index, SchoolIndexPage)
    assert index.get_parent().specific == make_site()
    assert second.get_parent().specific == index
    assert first.live and not first.has_unpublished_changes
    assert [(p.weekday, p.start_time.hour, p.end_time.hour) for p in first.permanences.all()] == [
        (2, 8, 12),
        (4, 13, 16),
    ]
    assert first.uai != second.uai and first.slug != second.slug


def test_a_bookable_school_has_a_referent_and_a_permanence_every_weekday():
    school = SchoolPageFactory(bookable_every_weekday=True)
    assert school.title == "École Jules-Ferry"
    assert school.referent.public_name == "Mme Leroy"
    assert sorted(p.weekday for p in school.permanences.all()) == [1, 2, 3, 4, 5]


def test_publish_makes_a_revision():
    published, created = ThematicEveningPageFactory(publish=True), ThematicEveningPageFactory()
    assert isinstance(published.get_parent().specific, ThematicEveningIndexPage)
    published.refresh_from_db()
    created.refresh_from_db()
    assert published.live_revision is not None
    assert created.live and created.live_revision is None


def test_a_page_without_a_parent_is_refused():
    with pytest.raises(ValueError, match="needs a parent"):
        SchoolPageFactory(parent=None)


def test_a_request_is_routed_by_its_worker_and_starts_its_history():
    worker = SocialWorkerFactory()
    start = timezone.now() + timedelta(days=3)
    booked = AppointmentRequestFactory(assigned_worker=worker, slot_start=start, at_school=True)
    queued = AppointmentRequestFactory(history=False)
    assert booked.routed_as == AppointmentRequest.Routing.REFERENT
    assert queued.routed_as == AppointmentRequest.Routing.SERVICE
    assert booked.slot_end == start + timedelta(minutes=30) and queued.slot_end is None
    assert (booked.mode, booked.place) == (AppointmentRequest.Mode.SCHOOL, "Bureau du rez-de-chaussée")
    assert list(booked.events.values_list("kind", flat=True)) == [RequestEvent.Kind.CREATED]
    assert not queued.events.exists()
    assert booked.parent_name != queued.parent_name and booked.email != queued.email
    booked.full_clean()


def test_a_notification_goes_to_the_family_of_its_request_or_registration():
    about_request = NotificationFactory()
    assert about_request.recipient == about_request.request.email
    registration = EveningRegistrationFactory()
    about_registration = NotificationFactory(request=None, registration=registration)
    assert about_registration.recipient == registration.email


def test_a_staff_account_has_its_groups_password_and_worker():
    worker = SocialWorkerFactory()
    user = UserFactory(groups=[WORKERS], worker=worker)
    assert list(user.groups.values_list("name", flat=True)) == [WORKERS]
    assert user.check_password(PASSWORD)
    worker.refresh_from_db()
    assert worker.user == user
    assert UserFactory(password="correct-horse-battery").check_password("correct-horse-battery")


def test_an_unknown_group_is_an_error():
    with pytest.raises(Group.DoesNotExist):
        UserFactory(groups=["no such role"])


def test_booking_settings_are_the_one_row_changed():
    BookingSettingsFactory(horizon_weeks=2)
    BookingSettingsFactory(minimum_notice_hours=72)
    assert BookingSettings.objects.count() == 1
    rules = BookingSettings.load()
    assert (rules.horizon_weeks, rules.minimum_notice_hours) == (2, 72)


def test_dated_rows_last_one_day_by_default_and_are_valid():
    closure = ClosurePeriodFactory()
    absence = WorkerAbsenceFactory()
    assert closure.first_day == closure.last_day
    assert absence.first_day == absence.last_day and absence.replacement is None
    closure.full_clean()
    absence.full_clean()
