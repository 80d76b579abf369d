"""The demo's year of requests has referrals from teachers of several schools and requests
recorded by workers, so that the statistics and the annual report look like a real year."""

import pytest

from forms import demo
from forms.models import AppointmentRequest, BookingSettings, Referral
from forms.records.stats import compute_statistics
from tests.factories import SchoolPageFactory, SocialWorkerFactory, permanence

pytestmark = pytest.mark.django_db

Source = AppointmentRequest.Source


@pytest.fixture
def demo_requests(db):
    for number in range(3):
        SchoolPageFactory(
            title=f"École {number}",
            referent=SocialWorkerFactory(),
            permanences=[permanence(weekday=1 + number)],
        )
    demo.load(log=lambda *a: None, warn=lambda *a: None)
    return AppointmentRequest.objects.all()


def test_the_demo_has_teacher_referrals_from_several_schools_flagged_or_verified(demo_requests):
    teachers = Referral.objects.filter(request__source=Source.TEACHER)

    assert teachers.count() >= 30
    assert teachers.values("request__school").distinct().count() >= 3
    assert teachers.filter(referrer_verified=True).exists() and teachers.filter(referrer_verified=False).exists()
    assert demo_requests.filter(source__in=AppointmentRequest.REFERRAL_SOURCES).count() == Referral.objects.count()
    assert BookingSettings.load().trusts_email(f"x@{demo.TRUSTED_DOMAIN}")


def test_the_demo_has_requests_recorded_by_staff(demo_requests):
    recorded = demo_requests.filter(source__in=AppointmentRequest.STAFF_SOURCES)

    assert recorded.count() >= 30
    assert all(r.events.get(kind="created").user is not None for r in recorded)


def test_every_source_group_counts_in_the_demos_statistics(demo_requests):
    groups = next(b for b in compute_statistics(demo_requests).breakdowns if b.name == "source_group")

    assert all(row.count > 0 for row in groups.rows), [(row.key, row.count) for row in groups.rows]
