"""The printable poster of a school: A4, referent, permanences, CCAS phone, emergency numbers,
a locally drawn QR code of the school's short link, the invitation in the other languages."""

import re

import pytest
import segno
from django.urls import reverse

from home.models import CCASSettings
from services.models import SchoolPage
from services.poster import qr_svg
from tests.factories import UserFactory, make_index, make_school, make_site, make_worker, permanence
from tests.helpers import login_staff, parse

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def school(db):
    ccas = CCASSettings.load()
    ccas.name, ccas.phone = "CCAS de Nanterre", "01 47 29 50 00"
    ccas.save()
    index = make_index(make_site(), publish=True)
    return make_school(
        index,
        "École Jules-Ferry",
        referent=make_worker("Mme Leroy"),
        permanences=[permanence(weekday=2, start="08:30", end="12:00", place="Bureau du rez-de-chaussée")],
        uai="0921234A",
        publish=True,
    )


@pytest.fixture
def communication(client, db):
    login_staff(client, UserFactory(groups=["Communication"]))
    return client


def poster_url(school):
    return reverse("services_school_poster", args=[school.pk])


def test_the_poster_says_who_when_whom_to_call_and_the_emergency_numbers(communication, school):
    response = communication.get(poster_url(school))
    assert response.status_code == 200
    html = response.content.decode()
    assert "@page { size: A4 portrait" in html
    text = parse(response).find("main").get_text(" ", strip=True)
    for expected in ("École Jules-Ferry", "Mme Leroy", "mardi, 8 h 30 – 12 h", "01 47 29 50 00", "119", "17", "112"):
        assert expected in text, expected
    assert "http://localhost/e/0921234a/" in text
    invitations = parse(response).find("ul", class_="other-languages").find_all("li")
    directions = [(li["lang"], li["dir"]) for li in invitations]
    assert directions == [("en", "ltr"), ("ar", "rtl"), ("pt", "ltr"), ("tr", "ltr")]
    assert len({li.get_text(strip=True) for li in invitations}) == 4  # each in its own words


def test_the_qr_code_is_local_svg_encoding_the_short_link_that_leads_to_the_school_page(client, communication, school):
    response = communication.get(poster_url(school))
    svg = parse(response).find("section", class_="qr").find("svg")
    assert svg is not None and "http" not in svg.get("xmlns:xlink", "")
    assert not re.search(r'<(img|script)[^>]+src="https?://', response.content.decode())
    # The payload, checked the way segno encodes it: the same matrix for the printed link.
    link = "http://localhost/e/0921234a/"
    page = response.content.decode()
    assert qr_svg(link) in page
    assert qr_svg(link.replace("0921234a", "0921234b")) not in page  # the check tells payloads apart
    assert segno.make(link, error="m").matrix == segno.make(link, error="m").matrix
    client.logout()
    followed = client.get("/e/0921234a/")
    assert followed.status_code == 302 and followed["Location"] == school.get_url()
    assert client.get("/e/0000000x/").status_code == 404


def test_the_poster_is_reachable_from_the_schools_admin_page(communication, school):
    response = communication.get(reverse("wagtailadmin_pages:edit", args=[school.pk]))
    assert poster_url(school) in response.content.decode()


def test_a_school_without_referent_gets_a_clear_message_not_a_poster(communication, school):
    SchoolPage.objects.filter(pk=school.pk).update(referent=None)
    response = communication.get(poster_url(school), follow=True)
    assert response.status_code == 200
    assert "pas de référent" in response.content.decode()


def test_only_editors_of_the_page_print_it(client, school):
    login_staff(client, UserFactory(groups=["Travailleurs sociaux"]))
    assert client.get(poster_url(school)).status_code in (302, 403)
