"""Every CSV export starts with a UTF-8 byte order mark, so that Excel shows accents
(portal.middleware.CsvByteOrderMarkMiddleware); other responses are left alone."""

from django.urls import reverse

from tests.factories import make_worker
from tests.helpers import login_staff


def test_the_directorys_csv_export_starts_with_a_byte_order_mark(client, world):
    make_worker("Mme Lefèvre")
    login_staff(client, world.communication)
    response = client.get(reverse("wagtailsnippets_services_socialworker:list") + "?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf") and content.count(b"\xef\xbb\xbf") == 1
    assert "Mme Lefèvre" in content.decode("utf-8-sig")


def test_an_html_page_gets_no_byte_order_mark(client, world):
    login_staff(client, world.communication)
    assert not client.get(reverse("wagtailadmin_home")).content.startswith(b"\xef\xbb\xbf")
