"""Malformed posts to every public form (issue 7, DESIGN.md rule 6): hypothesis generates
dictionaries of the expected field names and junk keys, with text, control characters,
binary-ish, huge, unicode, markup and numeric values (and several values per key), sent as
multipart, urlencoded or raw bodies under odd content types. Every answer is below 500 and
no AppointmentRequest or EveningRegistration row is stored or changed.

Every example is malformed by construction: the final confirmation and the evening
registration need a UUID submission key (the recap's must also equal the one in the
session), which the junk never is; the cancel links get junk tokens.

FAULT_EXAMPLES sets the number of examples per form: 1,000 by default, as the issue asks
(about 4 min 40 s for the 8 forms on PostgreSQL on the 2-core machine, load average 2); a
quick local run can lower it, e.g. FAULT_EXAMPLES=50."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.links import make_cancel_token
from forms.models import AppointmentRequest, EveningRegistration
from tests.booking_walk import DETAILS, walk_to
from tests.factories import AppointmentRequestFactory, SchoolPageFactory, make_evening, make_evening_index, make_site

EXAMPLES = int(os.environ.get("FAULT_EXAMPLES", "1000"))
FAULTS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7|add:7 }}",
    "{% debug %}",
    "'; DROP TABLE forms_appointmentrequest; --",
    "../../../../etc/passwd",
    "%00%ff%fe",
    "\u202egnp.exe",
    "javascript:alert(1)",
    "${jndi:ldap://x}",
    "",
    " ",
    "null",
    "None",
    "true",
    "[]",
    "{}",
]


def not_a_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return True
    return False


huge = st.tuples(st.sampled_from(["A", "é", "<", "0", " ", "ع", "😀", "\x00"]), st.integers(1_000, 60_000)).map(
    lambda pair: pair[0] * pair[1]
)
junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF, exclude_categories=["Cs"]), max_size=20),
    st.sampled_from(MARKUP),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    huge,
).filter(not_a_uuid)
values = st.one_of(junk, st.lists(junk, max_size=3))


def posts(fields: list[str]):
    """(data dict, body kind): the expected names plus junk keys, all with junk values."""
    keys = st.one_of(st.sampled_from(fields), st.text(max_size=30))
    data = st.dictionaries(keys, values, max_size=len(fields) + 4)
    raw = st.binary(max_size=2_000)
    content_type = st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=zzz",
            "text/plain",
            "application/json",
            "application/x-www-form-urlencoded; charset=klingon",
        ]
    )
    return st.one_of(
        st.tuples(data, st.just("multipart"), st.none()),
        st.tuples(data, st.just("urlencoded"), st.none()),
        st.tuples(raw, st.just("raw"), content_type),
    )


def send(client, path, post):
    data, kind, content_type = post
    if kind == "multipart":
        return client.post(path, data)
    if kind == "urlencoded":
        from urllib.parse import urlencode

        return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")
    return client.generic("POST", path, data, content_type=content_type)


def check(response, label):
    assert response.status_code < 500, (label, response.status_code)
    assert AppointmentRequest.objects.count() == 0
    assert EveningRegistration.objects.count() == 0


@pytest.fixture(autouse=True)
def no_rate_limit(settings, fresh_cache):
    # Thousands of posts from one address: lift forms.antispam's per-IP limits.
    settings.SUBMISSION_RATES = {"booking": "1000000/h", "evening": "1000000/h", "referral": "1000000/h"}
    settings.SUBMISSION_DECLINED_RATE = settings.INVALID_SUBMISSION_RATE = "1000000/h"
    settings.BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY = 1000000
    settings.RECAPTCHA_ENABLED = False


@pytest.fixture
def school(db):
    return SchoolPageFactory(bookable_every_weekday=True)


@pytest.fixture
def walked(client, school):
    """A client whose flow is complete up to the recap: every step has something to defend."""
    walk_to(client, "recapitulatif", school)
    return client


STEP_FIELDS = {
    "ecole": ["school"],
    "modalite": ["mode"],
    "creneau": ["slot", "availabilities"],
    "coordonnees": [*DETAILS],
    "recapitulatif": ["submission_key", "captcha_consent", "g-recaptcha-response", "website"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("step", list(STEP_FIELDS))
def test_malformed_posts_to_each_booking_step(walked, step):
    path = f"/rendez-vous/{step}/"

    @FAULTS
    @given(post=posts(STEP_FIELDS[step]))
    def run(post):
        check(send(walked, path, post), step)

    run()


@pytest.mark.django_db
def test_malformed_posts_to_the_booking_start_with_a_fresh_session(client, school):
    """A post without a flow behind it (expired session) on each step."""

    @FAULTS
    @given(step=st.sampled_from(list(STEP_FIELDS)), post=posts(sorted({f for v in STEP_FIELDS.values() for f in v})))
    def run(step, post):
        client.cookies.clear()
        check(send(client, f"/rendez-vous/{step}/", post), step)

    run()


EVENING_FIELDS = ["name", "adults", "children", "phone", "email", "language", "submission_key", "website"]


@pytest.mark.django_db
def test_malformed_posts_to_the_evening_registration(client):
    index = make_evening_index(make_site(), publish=True)
    evening = make_evening(index, "Les écrans en famille", day=timezone.localdate() + timedelta(days=10), publish=True)
    path = f"/soirees/{evening.pk}/inscription/"
    assert client.get(path).status_code == 200

    @FAULTS
    @given(post=posts(EVENING_FIELDS))
    def run(post):
        check(send(client, path, post), "evening")

    run()


REFERRAL_FIELDS = [
    "danger",
    "referrer_name",
    "referrer_role",
    "organisation",
    "referrer_email",
    "referrer_phone",
    "parent_name",
    "phone",
    "email",
    "notify_by",
    "language",
    "school",
    "reason",
    "context",
    "parent_agreement",
    "submission_key",
    "captcha_shown",
    "website",
]


@pytest.mark.django_db
def test_malformed_posts_to_the_referral_form(client, school):
    path = "/orienter-une-famille/"

    @FAULTS
    @given(post=posts(REFERRAL_FIELDS))
    def run(post):
        check(send(client, path, post), "referral")

    run()


@pytest.mark.django_db
def test_malformed_posts_to_the_cancel_confirmations(client, school):
    """Junk tokens (and junk bodies) on the appointment and evening cancel links: a clear
    4xx, nothing cancelled."""
    tokens = st.one_of(
        junk.filter(lambda value: len(value) < 3_000),
        st.just(make_cancel_token_for_nobody()).map(lambda token: token[:-2] + "xx"),
    )

    @FAULTS
    @given(token=tokens, which=st.sampled_from(["annuler", "soirees/annuler"]), post=posts(["csrfmiddlewaretoken"]))
    def run(token, which, post):
        path = f"/{which}/{quote(token, safe='') or 'x'}/"
        check(send(client, path, post), which)

    run()


def make_cancel_token_for_nobody() -> str:
    """A well-formed token for a request that no longer exists (made, then deleted)."""
    appointment = AppointmentRequestFactory(mode=AppointmentRequest.Mode.PHONE)
    token = make_cancel_token(appointment)
    appointment.delete()
    return token
