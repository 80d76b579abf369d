"""Build the demo home page, information pages and CCAS settings, in French, then translate them."""

from django.conf import settings
from wagtail.models import Locale, Page, Site

from home.demo import pages as content
from home.demo.localize import translate
from home.models import AccessibilityStatementPage, CCASContactTranslation, CCASSettings, HomePage, InformationPage


def ensure_locales():
    locales = {}
    for code, _name in settings.LANGUAGES:
        locales[code], _ = Locale.objects.get_or_create(language_code=code)
    return locales


def ensure_home(locales, log):
    home = HomePage.objects.filter(locale=locales["fr"]).first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    # Wagtail's migration leaves a welcome page at the top of the tree: the site now starts here.
    for page in root.get_children().exclude(content_type__model="homepage"):
        Site.objects.filter(root_page=page).delete()
        page.delete()
    data = content.HOME
    home = HomePage(
        title=data["title"], slug=data["slug"], intro=data["intro"], body=data["body"], locale=locales["fr"]
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname, site.port, site.root_page, site.site_name = "localhost", 80, home, settings.WAGTAIL_SITE_NAME
    site.save()
    log("home page created")
    return home


def ensure_information_pages(home, log):
    created = []
    for data in content.INFORMATION_PAGES:
        page = InformationPage.objects.filter(locale=home.locale, slug=data["slug"]).first()
        if page is None:
            page = InformationPage(
                title=data["title"],
                slug=data["slug"],
                intro=data["intro"],
                body=data["body"],
                show_in_menus=data["show_in_menus"],
            )
            home.add_child(instance=page)
            page.save_revision().publish()
            created.append(page)
    if created:
        log(f"{len(created)} information pages created")
    return {p.slug: p for p in InformationPage.objects.filter(locale=home.locale)}


def ensure_accessibility_statement(home, log):
    """The accessibility statement, filled as after a first self-assessment (never overwritten)."""
    statement = AccessibilityStatementPage.objects.filter(locale=home.locale).first()
    if statement is not None:
        return statement
    data = content.ACCESSIBILITY_STATEMENT
    if Page.objects.child_of(home).filter(slug=data["slug"]).exists():
        return None  # an editor's page holds the address: leave it
    statement = AccessibilityStatementPage(**data)
    home.add_child(instance=statement)
    statement.save_revision().publish()
    log("accessibility statement created")
    return statement


def ensure_settings(info_pages, statement=None):
    ccas = CCASSettings.load()
    if ccas.pk and ccas.phone:
        if statement is not None and ccas.accessibility_page_id is None:
            ccas.accessibility_page = statement
            ccas.save(update_fields=["accessibility_page"])
        ensure_contact_translations(ccas)
        return
    for field, value in content.CCAS_SETTINGS.items():
        setattr(ccas, field, value)
    ccas.legal_notice_page = info_pages.get("mentions-legales")
    ccas.privacy_page = info_pages.get("donnees-personnelles")
    ccas.accessibility_page = statement
    ccas.save()
    ensure_contact_translations(ccas)


def ensure_contact_translations(ccas):
    """The opening hours in each other language (never overwriting an editor's)."""
    for language, hours in content.CCAS_TRANSLATIONS.items():
        CCASContactTranslation.objects.get_or_create(ccas=ccas, language=language, defaults={"opening_hours": hours})


def translate_missing(pages, locales, log, warn):
    """Translate each page into each locale where it has no translation yet (never overwrite edits)."""
    for page in pages:
        existing = set(page.get_translations().values_list("locale__language_code", flat=True))
        for code, locale in locales.items():
            if code == settings.LANGUAGE_CODE or code in existing:
                continue
            missing = translate(page.specific, locale)
            if missing:
                warn(f"{page.title} [{code}]: {len(missing)} segment(s) left in French")


def load(log=print, warn=print, extra_loaders=()):
    """Build the home and information pages, then each app's demo content, then translate it all.

    `extra_loaders` are functions (home, locales, log, warn) -> pages to translate; portal's
    load_demo command passes the other apps' loaders, so home never imports them."""
    locales = ensure_locales()
    home = ensure_home(locales, log)
    info_pages = ensure_information_pages(home, log)
    statement = ensure_accessibility_statement(home, log)
    ensure_settings(info_pages, statement)
    pages = [home, *info_pages.values(), *([statement] if statement else [])]
    for loader in extra_loaders:
        pages += loader(home, locales, log, warn)
    translate_missing(pages, locales, log, warn)
    return home
