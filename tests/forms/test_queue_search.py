"""Finding a family who calls without its reference (forms.search): by name with or without
accents, an Arabic name, the phone number in any format, the child's first name, the e-mail
or the reference, always inside the requests the user may see; bounded for hostile input."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forms.records.retention import anonymise
from forms.search import MAX_WORDS, query_words
from tests.factories import AppointmentRequestFactory
from tests.helpers import login_staff

QUEUE = reverse("forms_admin:index")


def found(client, user, query):
    login_staff(client, user)
    response = client.get(QUEUE, {"q": query, "queue": "all"})
    assert response.status_code == 200
    return {r.reference for r in response.context["object_list"]}


@pytest.fixture
def families(world):
    leroy = world.leroy
    return {
        "benali": AppointmentRequestFactory(
            school=world.school,
            assigned_worker=leroy,
            parent_name="Amina Bénali",
            phone="+33612345678",
            email="Amina.Benali@example.org",
            child_first_name="Yanis",
        ),
        "arabic": AppointmentRequestFactory(
            school=world.school, assigned_worker=leroy, parent_name="فاطمة الزهراء", phone="+33698765432"
        ),
        "turkish": AppointmentRequestFactory(
            school=world.school, assigned_worker=leroy, parent_name="Şükrü Öztürk", phone="+905321234567"
        ),
        "other_queue": AppointmentRequestFactory(
            school=world.other_school, assigned_worker=world.benali, parent_name="Amina Bénali", phone="+33612345678"
        ),
    }


@pytest.mark.parametrize(
    "query",
    [
        "benali",
        "Bénali",
        "BENALI",
        "amina benali",
        "benali amina",
        "yanis",
        "06 12 34 56 78",
        "0612345678",
        "+33 6 12 34 56 78",
        "0033612345678",
        "06.12.34.56.78",
        "amina.benali@example.org",
    ],
)
def test_a_worker_finds_the_family_however_its_name_or_number_is_typed(client, world, families, query):
    assert found(client, world.worker, query) == {families["benali"].reference}


def test_arabic_and_turkish_names_and_a_foreign_number(client, world, families):
    assert found(client, world.worker, "فاطمة") == {families["arabic"].reference}
    assert found(client, world.worker, "الزهراء") == {families["arabic"].reference}
    assert found(client, world.worker, "ozturk") == {families["turkish"].reference}
    assert found(client, world.worker, "Öztürk") == {families["turkish"].reference}
    assert found(client, world.worker, "+90 532 123 45 67") == {families["turkish"].reference}


def test_the_manager_finds_both_queues_and_a_worker_only_hers(client, world, families):
    both = {families["benali"].reference, families["other_queue"].reference}
    assert found(client, world.manager, "bénali") == both
    assert found(client, world.worker, "bénali") == {families["benali"].reference}
    assert found(client, world.worker, families["other_queue"].reference) == set()


def test_a_reference_read_over_the_phone(client, world, families):
    reference = families["benali"].reference
    for typed in (reference, reference.replace("-", " ").lower(), reference.replace("-", "")):
        assert found(client, world.worker, typed) == {reference}


def test_an_accented_or_arabic_query_that_matches_nobody_lists_nobody(client, world, families):
    assert found(client, world.manager, "Éléonore") == set()
    assert found(client, world.manager, "محمد") == set()
    assert found(client, world.manager, "   ") != set()  # no query: the whole queue


@pytest.mark.parametrize(
    "query", ["x" * 5000, "'; DROP TABLE forms_appointmentrequest; --", "😀 🙂", "%_%", "a " * 300]
)
def test_hostile_queries_answer_without_error_and_bounded(client, world, families, query):
    assert found(client, world.manager, query) == set() or query == "a " * 300
    assert len(query_words(query)) <= MAX_WORDS


def test_an_anonymised_request_is_no_longer_found_by_name_or_number(client, world, families):
    request = families["benali"]
    anonymise([request.pk])
    assert found(client, world.worker, "benali") == set()
    assert found(client, world.worker, "0612345678") == set()


def test_search_costs_the_same_queries_as_the_listing(client, world, families):
    login_staff(client, world.manager)
    client.get(QUEUE, {"queue": "all"})
    with CaptureQueriesContext(connection) as listing:
        client.get(QUEUE, {"queue": "all"})
    with CaptureQueriesContext(connection) as searching:
        client.get(QUEUE, {"queue": "all", "q": "amina benali"})
    assert len(searching) <= len(listing)


def sidebar_search_url(client, user):
    login_staff(client, user)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    found = re.search(
        r"wagtail\.sidebar\.SearchModule&quot;, &quot;_args&quot;: \[&quot;([^&]*)&quot;|"
        r'wagtail\.sidebar\.SearchModule", "_args": \["([^"]*)"',
        page,
    )
    return found and (found.group(1) or found.group(2))


def test_the_sidebar_search_of_a_request_role_searches_requests_and_communication_searches_pages(client, world):
    assert sidebar_search_url(client, world.worker) == QUEUE
    assert sidebar_search_url(client, world.manager) == QUEUE
    assert sidebar_search_url(client, world.communication) == reverse("wagtailadmin_pages:search")
