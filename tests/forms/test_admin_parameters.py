"""Every admin URL parameter is validated (issue 17): hypothesis sends the staff side's GET
parameters (weeks, ids, dates, filters, pages, orderings, export formats, search, junk keys),
well-formed and not, to the requests' queue, agenda, statistics, request pages and the
directory snippets, logged in as each role. No answer is a 500 (the test client raises the
view's exception, so a crash fails the example with its traceback).

ADMIN_FUZZ_EXAMPLES sets the number of examples per role: 200 by default (about a minute for the
four roles on PostgreSQL on the 2-core machine). Checked that it fails: a stray int() on
`?week=` in the agenda is found within 100 examples."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.models import AppointmentRequest
from tests.factories import AppointmentRequestFactory, make_absence, make_closure
from tests.forms.workers_side import future
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("ADMIN_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The admin pages with query parameters, and those named by an id.
LISTINGS = [
    "forms_admin:index",
    "forms_admin:index_results",
    "forms_admin:agenda",
    "forms_admin:statistics",
    "forms_admin:statistics_results",
    "wagtailsnippets_services_socialworker:list",
    "wagtailsnippets_services_socialworker:list_results",
    "wagtailsnippets_services_workerabsence:list",
    "wagtailsnippets_services_closureperiod:list",
    "wagtailsnippets_services_socialcentre:list",
    "wagtailadmin_home",
    "wagtailadmin_explore_root",
    "wagtailadmin_pages:search",
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:aging_pages",
    "wagtailusers_users:index",
]
BY_ID = [
    "forms_admin:detail",
    "forms_admin:history",
    "forms_admin:history_results",
    "wagtailadmin_explore",
    "wagtailadmin_pages:history",
    "wagtailsnippets_services_socialworker:edit",
    "wagtailsnippets_services_workerabsence:edit",
]

KEYS = [
    "week",
    "worker",
    "queue",
    "status",
    "school",
    "reason",
    "mode",
    "created_at_after",
    "created_at_before",
    "language",
    "interpreter_needed",
    "captcha_declined",
    "year",
    "p",
    "ordering",
    "q",
    "export",
    "job",
    "active",
    "kind",
    "first_day_after",
    "first_day_before",
    "first_day",
    "locale",
    "page_size",
    "timestamp_from",
    "timestamp_to",
    "action",
    "user",
    "content_type",
    "last_published_at",
    "group",
]

big_ints = st.one_of(
    st.integers(-5, 20),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31, 2**31 - 1, 2**63, 2**63 - 1, 2**64, 10**30]),
)
weeks = st.tuples(st.integers(-10, 100_000), st.integers(-5, 60)).map(lambda yw: f"{yw[0]:04d}-W{yw[1]:02d}")
dates = st.one_of(
    st.tuples(st.integers(-10, 100_000), st.integers(-1, 14), st.integers(-1, 40)).map(
        lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
    ),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["0000-00-00", "2026-02-30", "9999-12-31", "0001-01-01", "31/12/2026", "today"]),
)
orderings = st.tuples(
    st.sampled_from(["", "-"]),
    st.sampled_from(
        ["created_at", "status", "reference", "title", "latest_revision_created_at", "public_name", "pk", "x", "__"]
    ),
).map("".join)
values = st.one_of(
    big_ints.map(str),
    weeks,
    dates,
    orderings,
    big_ints.map(lambda n: f"w{n}"),
    st.sampled_from(
        ["csv", "xlsx", "pdf", "json", "", "mine", "all", "service", "true", "false", "unknown", "fr", "ar", "zz"]
    ),
    st.sampled_from([*AppointmentRequest.Status.values, *AppointmentRequest.Mode.values, "home", "schooling"]),
    st.text(max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.sampled_from(["<script>", "%00", "' OR 1=1 --", "../../etc/passwd", "\u202e", "1e9", "NaN", "-0"]),
)
params = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), values), max_size=6)
ids = st.one_of(big_ints.filter(lambda n: n >= 0), st.sampled_from(["mine", "other", "service"]))


@pytest.fixture
def fuzz_world(world):
    """The world's requests, and one with an appointment, an absence and a closure to list."""
    AppointmentRequestFactory(
        school=world.school,
        assigned_worker=world.leroy,
        status=AppointmentRequest.Status.SCHEDULED,
        slot_start=future(days=3, hour=9),
    )
    make_absence(world.leroy, future(days=10).date(), future(days=12).date(), replacement=world.benali)
    make_closure(future(days=30).date(), future(days=40).date())
    return world


@pytest.mark.parametrize("role", ["worker", "manager", "assistant", "communication"])
def test_no_admin_get_parameter_gives_a_500(client, fuzz_world, role):
    world = fuzz_world
    login_staff(client, world.users()[role])
    named = {"mine": world.request.pk, "other": world.other_request.pk, "service": world.service_request.pk}

    @FUZZ
    @given(
        name=st.sampled_from(LISTINGS + BY_ID),
        pk=ids,
        query=params,
    )
    def get(name, pk, query):
        args = [named.get(pk, pk)] if name in BY_ID else []
        response = client.get(reverse(name, args=args), query)
        assert response.status_code < 500, (name, args, query)

    get()
