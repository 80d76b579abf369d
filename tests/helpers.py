"""What the tests expect of every page, stated once, and small readers of rendered HTML."""

from bs4 import BeautifulSoup

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
