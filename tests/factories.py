"""Builders for test data: plain functions with sensible defaults, keyword arguments to vary.

make_site()                      # French HomePage at the root, the default site
index = make_index()             # the school index under it
worker = make_worker("Mme Leroy")
school = make_school(index, "École Jules-Ferry", referent=worker,
                     permanences=[permanence(weekday=2, start="08:30", end="12:00")])
translate_page(school, "ar", title="مدرسة جول فيري", places=["مكتب الطابق الأرضي"])
"""

from __future__ import annotations

import itertools
from datetime import date, time

from django.conf import settings
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from services.models import (
    ClosurePeriod,
    Permanence,
    SchoolIndexPage,
    SchoolPage,
    SocialCentre,
    SocialWorker,
    ThematicEveningIndexPage,
    ThematicEveningPage,
    WorkerAbsence,
)

_numbers = itertools.count(1)


def make_locales() -> dict[str, Locale]:
    """One Locale per language of settings.LANGUAGES, by language code."""
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES}


def make_site(title="Service social scolaire", hostname="localhost") -> HomePage:
    """A French HomePage at the root of the tree, root of the default site.

    Wagtail's welcome page is removed; calling it again returns the same home page."""
    locales = make_locales()
    home = HomePage.objects.filter(locale=locales[settings.LANGUAGE_CODE], depth=2).first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    for page in root.get_children():
        Site.objects.filter(root_page=page).delete()
        page.delete()
    home = HomePage(title=title, slug="accueil", locale=locales[settings.LANGUAGE_CODE])
    root.add_child(instance=home)
    Site.objects.all().delete()
    Site.objects.create(hostname=hostname, port=80, root_page=home, is_default_site=True, site_name=title)
    return home


def _publish(page, publish: bool):
    if publish:
        page.save_revision().publish()
    return page


def make_index(home=None, title="Les écoles", slug="ecoles", intro="", publish=False) -> SchoolIndexPage:
    home = home or make_site()
    index = SchoolIndexPage(title=title, slug=slug, intro=intro)
    home.add_child(instance=index)
    return _publish(index, publish)


def make_worker(public_name=None, job=SocialWorker.Job.SOCIAL_WORKER, **fields) -> SocialWorker:
    n = next(_numbers)
    fields.setdefault("email", f"worker{n}@ccas.example.fr")
    fields.setdefault("public_phone", "01 23 45 67 89")
    return SocialWorker.objects.create(public_name=public_name or f"Mme Travailleuse {n}", job=job, **fields)


def make_centre(name="Centre social des Tilleuls", **fields) -> SocialCentre:
    return SocialCentre.objects.create(name=name, **fields)


def _clock(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def permanence(weekday=2, start="08:30", end="12:00", place="Bureau du rez-de-chaussée", **fields) -> Permanence:
    """An unsaved permanence for make_school(permanences=[...]); times as "HH:MM" or time objects."""
    return Permanence(weekday=weekday, start_time=_clock(start), end_time=_clock(end), place=place, **fields)


def make_school(
    index,
    title=None,
    kind=SchoolPage.Kind.ELEMENTARY,
    referent=None,
    permanences=(),
    publish=False,
    **fields,
) -> SchoolPage:
    """A live school under `index`. `permanences`: Permanence objects (see permanence()) or dicts."""
    n = next(_numbers)
    fields.setdefault("address", f"{n} rue des Écoles")
    fields.setdefault("postcode", "75000")
    fields.setdefault("city", "Paris")
    fields.setdefault("uai", f"0{n:06d}A"[-8:])
    school = SchoolPage(title=title or f"École {n}", kind=kind, referent=referent, **fields)
    school.permanences = [p if isinstance(p, Permanence) else permanence(**p) for p in permanences]
    index.add_child(instance=school)
    return _publish(school, publish)


# The half-days a referent can hold without two permanences overlapping: 4 days x 3 slots.
_TOWN_DAYS = (1, 2, 4, 5)
_TOWN_HOURS = (("08:30", "10:00"), ("10:30", "12:00"), ("13:30", "16:30"))


def make_town(index, count, workers=None) -> list[SchoolPage]:
    """`count` schools shared by a few referents (5, or more past 60 schools), each school with one
    weekly half-day permanence that does not clash with the referent's other schools."""
    per_worker = len(_TOWN_DAYS) * len(_TOWN_HOURS)
    workers = workers or [make_worker() for _ in range(max(5, -(-count // per_worker)))]
    schools = []
    for n in range(count):
        slot = n // len(workers)
        start, end = _TOWN_HOURS[slot // len(_TOWN_DAYS) % len(_TOWN_HOURS)]
        schools.append(
            make_school(
                index,
                f"École {n:03d}",
                SchoolPage.Kind.NURSERY if n % 2 else SchoolPage.Kind.ELEMENTARY,
                workers[n % len(workers)],
                permanences=[permanence(weekday=_TOWN_DAYS[slot % len(_TOWN_DAYS)], start=start, end=end)],
            )
        )
    return schools


def translate_page(page, language_code, title=None, places=None, publish=True, **fields):
    """Translate a page (and its missing parents) into a locale, as an editor would, and publish it.

    `places` replaces the permanences' places in order (for a school)."""
    locale = make_locales()[language_code]
    translated = page.specific.copy_for_translation(locale, copy_parents=True)
    translated.title = title or f"{page.title} [{language_code}]"
    for name, value in fields.items():
        setattr(translated, name, value)
    if places is not None:
        items = list(translated.permanences.all())
        for item, place in zip(items, places, strict=False):
            item.place = place
        translated.permanences = items
    translated.save()
    if publish:
        translated.save_revision().publish()
        # Parents copied along are aliases, live as their source; publish any that is not.
        for ancestor in translated.get_ancestors().filter(depth__gte=2, live=False).specific():
            ancestor.save_revision().publish()
    return translated


def make_closure(first_day: date, last_day: date, name="Vacances scolaires", **fields) -> ClosurePeriod:
    return ClosurePeriod.objects.create(name=name, first_day=first_day, last_day=last_day, **fields)


def make_absence(worker, first_day: date, last_day: date, replacement=None, **fields) -> WorkerAbsence:
    return WorkerAbsence.objects.create(
        worker=worker, first_day=first_day, last_day=last_day, replacement=replacement, **fields
    )


def make_evening_index(home=None, title="Soirées thématiques", slug="soirees", publish=False):
    home = home or make_site()
    index = ThematicEveningIndexPage(title=title, slug=slug)
    home.add_child(instance=index)
    return _publish(index, publish)


def make_evening(index, title=None, day: date | None = None, start="18:30", end="20:30", publish=False, **fields):
    n = next(_numbers)
    fields.setdefault("place", "Salle polyvalente de l'école Jules-Ferry")
    fields.setdefault("address", "12 rue des Écoles, 75000 Paris")
    fields.setdefault("theme", "Parentalité")
    fields.setdefault("intro", "Échanger entre parents avec une psychologue.")
    evening = ThematicEveningPage(
        title=title or f"Soirée {n}",
        date=day or date.today(),
        start_time=_clock(start),
        end_time=_clock(end),
        **fields,
    )
    index.add_child(instance=evening)
    return _publish(evening, publish)
