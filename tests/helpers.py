"""What the tests expect of every page, stated once, and small readers of rendered HTML."""

import base64
import hashlib
import hmac
import struct
import time

from bs4 import BeautifulSoup
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

# The languages: French (the source, no URL prefix), then the four translations.
LANGUAGES = ["fr", "en", "ar", "pt", "tr"]
RIGHT_TO_LEFT = {"ar"}


def text_direction(code):
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"


def home_url(code):
    return "/" if code == "fr" else f"/{code}/"


def parse(response):
    return BeautifulSoup(response.content, "html.parser")


def html_attributes(response):
    """The `lang` and `dir` of the document's <html> element."""
    html = parse(response).html
    return {"lang": html.get("lang"), "dir": html.get("dir")}


def switcher_links(response):
    """The language switcher's links, in page order, with the attributes a screen reader uses."""
    nav = parse(response).find("nav", class_="language-switcher")
    assert nav is not None, "the page has no language switcher"
    return [
        {
            "href": link.get("href"),
            "hreflang": link.get("hreflang"),
            "lang": link.get("lang"),
            "dir": link.get("dir"),
        }
        for link in nav.find_all("a")
    ]


def language_of_path(path):
    """The language a URL path is in: its prefix, or French without one."""
    prefix = path.split("/")[1]
    return prefix if prefix in LANGUAGES and prefix != "fr" else "fr"


def totp_code(secret, at=None, step=30, digits=6):
    """The one-time code an authenticator app shows for this base32 secret (RFC 6238, SHA-1),
    computed here rather than by django-otp, so that the tests check its secret and its URI."""
    secret = "".join(secret.split()).upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def device_secret(device):
    """The base32 secret of a django-otp TOTP device, as the enrolment page shows it."""
    return base64.b32encode(device.bin_key).decode()


def login_staff(client, user):
    """Log a staff member in as after the password and the one-time code: the session holds a
    confirmed TOTP device of theirs (portal.two_factor). Every test of the admin logs in so."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
