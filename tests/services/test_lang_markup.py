"""French text inside another language's page is marked `lang="fr"` (and `dir="ltr"`, for
Arabic): a permanence's place not translated yet, the social centre, the school's address.
A translated place, and every text of a French page, carry no such mark."""

from services.models import SocialCentreName
from tests.factories import make_evening, make_evening_index, make_school, permanence, translate_page
from tests.helpers import parse

FRENCH_PLACE = "Salle polyvalente"
ARABIC_PLACE = "مكتب المديرة"


def marked_french(element):
    return element is not None and element.get("lang") == "fr" and element.get("dir") == "ltr"


def place_spans(soup, text):
    return [span for span in soup.select("span") if span.get_text(strip=True) == text]


def two_permanence_school(index, leroy, centre):
    school = make_school(
        index,
        "École Jules-Ferry",
        referent=leroy,
        social_centre=centre,
        permanences=[
            permanence(weekday=day, place="Bureau de la directrice" if day % 2 else FRENCH_PLACE) for day in (1, 2)
        ],
        publish=True,
    )
    # The translator translated the first place and left the second as it was.
    arabic = translate_page(school, "ar", title="مدرسة جول فيري", places=[ARABIC_PLACE, FRENCH_PLACE])
    return school, arabic


def test_arabic_school_page_marks_the_untranslated_place_the_centre_and_the_address(client, index, leroy, centre):
    _school, arabic = two_permanence_school(index, leroy, centre)
    soup = parse(client.get(arabic.url))

    french = place_spans(soup, FRENCH_PLACE)
    assert french and all(marked_french(span) for span in french)
    assert ARABIC_PLACE in soup.find("main").get_text()
    assert not [element for element in soup.select("main [lang]") if ARABIC_PLACE in element.get_text()]
    assert marked_french(soup.find("strong", string=centre.name))  # no Arabic name given
    address = soup.select_one("main .meta span[dir=ltr]")
    assert marked_french(address) and "rue" in address.get_text()


def test_french_school_page_has_no_language_marks(client, index, leroy, centre):
    school, _arabic = two_permanence_school(index, leroy, centre)
    main = parse(client.get(school.url)).find("main")
    assert main.select("[lang]") == []


def test_arabic_finder_marks_the_untranslated_place_of_the_next_permanence(client, index, leroy, centre):
    _school, arabic = two_permanence_school(index, leroy, centre)
    soup = parse(client.get(arabic.get_parent().url))
    card = soup.select_one(".card-list .card")
    assert card is not None
    # The next permanence is the first of the week's two, whichever day the suite runs.
    if FRENCH_PLACE in card.get_text():
        assert all(marked_french(span) for span in place_spans(card, FRENCH_PLACE))
        assert place_spans(card, FRENCH_PLACE)
    else:
        assert ARABIC_PLACE in card.get_text()
        assert not [element for element in card.select("[lang]") if ARABIC_PLACE in element.get_text()]


def test_a_school_name_left_in_french_is_marked_on_its_arabic_page_and_in_the_finder(client, index, leroy, centre):
    school = make_school(index, "École Paul-Bert", referent=leroy, permanences=[permanence()], publish=True)
    arabic = translate_page(school, "ar", title=school.title)  # a proper name, kept as it is
    h1 = parse(client.get(arabic.url)).find("main").h1
    assert marked_french(h1)
    card_link = parse(client.get(arabic.get_parent().url)).select_one(".card-list .card h2 a")
    assert card_link.get_text(strip=True) == "École Paul-Bert" and marked_french(card_link)


def test_a_translated_school_name_is_not_marked(client, index, leroy, centre):
    _school, arabic = two_permanence_school(index, leroy, centre)
    assert parse(client.get(arabic.url)).find("main").h1.get("lang") is None
    card_link = parse(client.get(arabic.get_parent().url)).select_one(".card-list .card h2 a")
    assert card_link.get("lang") is None


def test_an_evening_address_copied_from_the_french_page_is_marked(client, home):
    evening = make_evening(make_evening_index(home, publish=True), "Le sommeil", publish=True)
    arabic = translate_page(evening, "ar", title="النوم", place="القاعة متعددة الاستخدامات")
    address = parse(client.get(arabic.url)).find("span", string=evening.address)
    assert marked_french(address)


def test_social_centre_name_is_shown_in_the_page_language_else_marked_french(client, index, leroy, centre):
    SocialCentreName.objects.create(centre=centre, language="ar", name="المركز الاجتماعي لي برويير")
    school, arabic = two_permanence_school(index, leroy, centre)
    turkish = translate_page(school, "tr", title="Jules-Ferry Okulu")

    def centre_section(page):
        return parse(client.get(page.url)).find("section", attrs={"aria-labelledby": "centre-title"})

    section = centre_section(arabic)
    name = section.find("strong")
    assert name.get_text(strip=True) == "المركز الاجتماعي لي برويير" and name.get("lang") is None
    assert centre.name not in section.get_text()
    if centre.address:
        assert marked_french(section.find("span"))  # the address: the street sign's words
    name = centre_section(turkish).find("strong")  # no Turkish name: the French one, marked
    assert name.get_text(strip=True) == centre.name and marked_french(name)
    name = centre_section(school).find("strong")
    assert name.get_text(strip=True) == centre.name and name.get("lang") is None
