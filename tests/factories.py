"""Test data, built one way: factory-boy factories, one per model, whose defaults make a valid
object; keyword arguments vary it.

    home = make_site()                                   # the French home page of the default site
    leroy = SocialWorkerFactory(public_name="Mme Leroy")
    school = SchoolPageFactory(title="École Jules-Ferry", referent=leroy,
                               permanences=[permanence(weekday=2, start="08:30", end="12:00")])
    request = AppointmentRequestFactory(school=school, assigned_worker=leroy, slot_start=start)
    staff = UserFactory(username="referente", groups=[WORKERS], worker=leroy)
    translate_page(school, "ar", title="مدرسة جول فيري", places=["مكتب الطابق الأرضي"])

Pages are added under `parent` as an editor would (`parent.add_child`), and published with
`publish=True`. Without a parent, a school goes under the site's school index and an evening
under the evenings' index, both made on first use. wagtail-factories was considered: its latest
release (4.5.0) declares `Framework :: Wagtail :: 7` only and it is not a dependency, so the
page factories here are plain factory-boy ones.

The make_* functions are shorthands over the factories, with the positional arguments the
tests have always used.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Locale, Page, Site

from forms.models import AppointmentRequest, BookingSettings, EveningRegistration, Notification, RequestEvent
from home.models import HomePage, InformationPage
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

PASSWORD = "x" * 16


def make_locales() -> dict[str, Locale]:
    """One Locale per language of settings.LANGUAGES, by language code."""
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES}


def _clock(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


# Pages


class PageFactory(DjangoModelFactory):
    """A Wagtail page added as the last child of `parent`, published if `publish`."""

    class Meta:
        abstract = True

    parent = None
    publish = False

    @classmethod
    def _build(cls, model_class, *args, parent=None, publish=False, **kwargs):
        return model_class(*args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish=False, **kwargs):
        if parent is None:
            raise ValueError(f"{cls.__name__} needs a parent page")
        page = model_class(*args, **kwargs)
        parent.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        return page


class HomePageFactory(PageFactory):
    """A home page at the root of the tree (see make_site() for the default site's)."""

    class Meta:
        model = HomePage

    parent = factory.LazyFunction(Page.get_first_root_node)
    title = "Service social scolaire"
    slug = "accueil"
    locale = factory.LazyFunction(lambda: make_locales()[settings.LANGUAGE_CODE])


def make_site(title="Service social scolaire", hostname="localhost") -> HomePage:
    """The French HomePage at the root of the tree, root of the default site.

    Wagtail's welcome page is removed; calling it again returns the same home page."""
    locales = make_locales()
    home = HomePage.objects.filter(locale=locales[settings.LANGUAGE_CODE], depth=2).first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    for page in root.get_children():
        Site.objects.filter(root_page=page).delete()
        page.delete()
    home = HomePageFactory(title=title, parent=root)
    Site.objects.all().delete()
    Site.objects.create(hostname=hostname, port=80, root_page=home, is_default_site=True, site_name=title)
    return home


class InformationPageFactory(PageFactory):
    """General content under the site's home page (the slug follows the title unless given)."""

    class Meta:
        model = InformationPage

    parent = factory.LazyFunction(make_site)
    title = factory.Sequence(lambda n: f"Information {n}")


def _index_of(model, factory_class):
    """The site's French index page of `model`, made the first time it is asked for."""
    home = make_site()
    index = model.objects.child_of(home).filter(locale=home.locale).first()
    return index or factory_class(parent=home)


class SchoolIndexPageFactory(PageFactory):
    class Meta:
        model = SchoolIndexPage

    parent = factory.LazyFunction(make_site)
    title = "Les écoles"
    slug = "ecoles"
    intro = ""


class PermanenceFactory(DjangoModelFactory):
    """A weekly permanence, unsaved with build() for SchoolPageFactory(permanences=[...])."""

    class Meta:
        model = Permanence

    weekday = Permanence.Weekday.TUESDAY
    start_time = time(8, 30)
    end_time = time(12, 0)
    place = "Bureau du rez-de-chaussée"


def permanence(weekday=2, start="08:30", end="12:00", place="Bureau du rez-de-chaussée", **fields) -> Permanence:
    """An unsaved permanence for SchoolPageFactory(permanences=[...]); times as "HH:MM" or time objects."""
    return PermanenceFactory.build(
        weekday=weekday, start_time=_clock(start), end_time=_clock(end), place=place, **fields
    )


class SocialWorkerFactory(DjangoModelFactory):
    class Meta:
        model = SocialWorker

    public_name = factory.Sequence(lambda n: f"Mme Travailleuse {n}")
    job = SocialWorker.Job.SOCIAL_WORKER
    email = factory.Sequence(lambda n: f"worker{n}@ccas.example.fr")
    public_phone = "01 23 45 67 89"


class SocialCentreFactory(DjangoModelFactory):
    class Meta:
        model = SocialCentre

    name = "Centre social des Tilleuls"


class SchoolPageFactory(PageFactory):
    """A live school; `permanences`: Permanence objects (see permanence()) or dicts of its arguments.

    SchoolPageFactory(bookable_every_weekday=True): École Jules-Ferry, Mme Leroy's, with a
    permanence every weekday morning, so that there are free slots whatever the day the suite
    runs (no closure period exists unless a test makes one)."""

    class Meta:
        model = SchoolPage

    class Params:
        bookable_every_weekday = factory.Trait(
            title="École Jules-Ferry",
            referent=factory.SubFactory(SocialWorkerFactory, public_name="Mme Leroy"),
            permanences=factory.LazyFunction(lambda: [permanence(weekday=day) for day in range(1, 6)]),
        )

    parent = factory.LazyFunction(lambda: _index_of(SchoolIndexPage, SchoolIndexPageFactory))
    title = factory.Sequence(lambda n: f"École {n}")
    kind = SchoolPage.Kind.ELEMENTARY
    referent = None
    address = factory.Sequence(lambda n: f"{n} rue des Écoles")
    postcode = "75000"
    city = "Paris"
    uai = factory.Sequence(lambda n: f"0{n:06d}A"[-8:])
    permanences = ()

    @classmethod
    def _build(cls, model_class, *args, permanences=(), **kwargs):
        school = super()._build(model_class, *args, **kwargs)
        school.permanences = [p if isinstance(p, Permanence) else permanence(**p) for p in permanences]
        return school

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish=False, permanences=(), **kwargs):
        if parent is None:
            raise ValueError(f"{cls.__name__} needs a parent page")
        school = cls._build(model_class, *args, permanences=permanences, **kwargs)
        parent.add_child(instance=school)
        if publish:
            school.save_revision().publish()
        return school


class ThematicEveningIndexPageFactory(PageFactory):
    class Meta:
        model = ThematicEveningIndexPage

    parent = factory.LazyFunction(make_site)
    title = "Soirées thématiques"
    slug = "soirees"


class ThematicEveningPageFactory(PageFactory):
    """An evening today, 18:30 to 20:30 (pass `date` for another day)."""

    class Meta:
        model = ThematicEveningPage

    parent = factory.LazyFunction(lambda: _index_of(ThematicEveningIndexPage, ThematicEveningIndexPageFactory))
    title = factory.Sequence(lambda n: f"Soirée {n}")
    start_time = time(18, 30)
    end_time = time(20, 30)
    place = "Salle polyvalente de l'école Jules-Ferry"
    address = "12 rue des Écoles, 75000 Paris"
    theme = "Parentalité"
    intro = "Échanger entre parents avec une psychologue."
    date = factory.LazyFunction(date.today)


# Schedules


class ClosurePeriodFactory(DjangoModelFactory):
    """School holidays of one day, today, unless first_day and last_day say otherwise."""

    class Meta:
        model = ClosurePeriod

    name = "Vacances scolaires"
    first_day = factory.LazyFunction(date.today)
    last_day = factory.SelfAttribute("first_day")


class WorkerAbsenceFactory(DjangoModelFactory):
    """An absence of one day, today, without a replacement unless one is given."""

    class Meta:
        model = WorkerAbsence

    worker = factory.SubFactory(SocialWorkerFactory)
    first_day = factory.LazyFunction(date.today)
    last_day = factory.SelfAttribute("first_day")
    replacement = None


class BookingSettingsFactory(DjangoModelFactory):
    """The site-wide booking settings (one row): BookingSettingsFactory(horizon_weeks=2) changes them."""

    class Meta:
        model = BookingSettings

    @classmethod
    def _create(cls, model_class, *args, **fields):
        rules = model_class.load()
        for name, value in fields.items():
            setattr(rules, name, value)
        rules.save()
        return rules


# Requests and registrations


class AppointmentRequestFactory(DjangoModelFactory):
    """A request as the booking stores it, with its CREATED event (history=False: none).

    Routed to the referent when it has an assigned worker, to the service otherwise; a slot lasts
    30 minutes. The personal data is numbered, so that a test can tell whose it is and where it
    leaks. AppointmentRequestFactory(at_school=True): an appointment at the school's office."""

    class Meta:
        model = AppointmentRequest
        skip_postgeneration_save = True

    class Params:
        at_school = factory.Trait(mode=AppointmentRequest.Mode.SCHOOL, place="Bureau du rez-de-chaussée")

    school = None
    assigned_worker = None
    routed_as = factory.LazyAttribute(
        lambda o: AppointmentRequest.Routing.REFERENT if o.assigned_worker else AppointmentRequest.Routing.SERVICE
    )
    mode = AppointmentRequest.Mode.CCAS
    reason = AppointmentRequest.Reason.SCHOOLING
    parent_name = factory.Sequence(lambda n: f"Parent Secret{n:03d}")
    phone = factory.Sequence(lambda n: f"06 00 00 {n // 100 % 100:02d} {n % 100:02d}")
    email = factory.Sequence(lambda n: f"famille{n}@example.org")
    child_first_name = factory.Sequence(lambda n: f"Enfant{n:03d}")
    child_class = "CE1"
    message = factory.Sequence(lambda n: f"Message confidentiel {n}")
    availabilities = "le matin"
    consent_at = factory.LazyFunction(timezone.now)
    captcha = AppointmentRequest.Captcha.PASSED
    created_at = factory.SelfAttribute("consent_at")
    slot_start = None
    slot_end = factory.LazyAttribute(lambda o: o.slot_start and o.slot_start + timedelta(minutes=30))

    @factory.post_generation
    def history(request, create, extracted, **kwargs):
        if create and extracted is not False:
            request.record(RequestEvent.Kind.CREATED)


class EveningRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = EveningRegistration

    evening = factory.SubFactory(ThematicEveningPageFactory)
    name = factory.Sequence(lambda n: f"Famille Inscrite{n:03d}")
    email = factory.Sequence(lambda n: f"inscription{n}@example.org")
    status = EveningRegistration.Status.CONFIRMED


class NotificationFactory(DjangoModelFactory):
    """A message waiting in the outbox, about a request (or a registration, with request=None)."""

    class Meta:
        model = Notification

    kind = Notification.Kind.PARENT_CONFIRMATION
    request = factory.SubFactory(AppointmentRequestFactory)
    registration = None
    recipient = factory.LazyAttribute(lambda o: (o.request or o.registration).email)
    language = settings.LANGUAGE_CODE


# Accounts


class UserFactory(DjangoModelFactory):
    """An account; groups=[names] puts it in role groups, worker= links it to a social worker.

    Its password is PASSWORD unless password= says otherwise."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@ccas.example.fr")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(*[Group.objects.get(name=name) for name in extracted])

    @factory.post_generation
    def worker(user, create, extracted, **kwargs):
        if create and extracted is not None:
            extracted.user = user
            extracted.save(update_fields=["user"])


# Shorthands with positional arguments


def make_index(home=None, title="Les écoles", slug="ecoles", intro="", publish=False) -> SchoolIndexPage:
    return SchoolIndexPageFactory(parent=home or make_site(), title=title, slug=slug, intro=intro, publish=publish)


def make_worker(public_name=None, job=SocialWorker.Job.SOCIAL_WORKER, **fields) -> SocialWorker:
    if public_name:
        fields["public_name"] = public_name
    return SocialWorkerFactory(job=job, **fields)


def make_centre(name="Centre social des Tilleuls", **fields) -> SocialCentre:
    return SocialCentreFactory(name=name, **fields)


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
    if title:
        fields["title"] = title
    return SchoolPageFactory(
        parent=index, kind=kind, referent=referent, permanences=permanences, publish=publish, **fields
    )


# The half-days a referent can hold without two permanences overlapping: 4 days x 3 slots.
_TOWN_DAYS = (1, 2, 4, 5)
_TOWN_HOURS = (("08:30", "10:00"), ("10:30", "12:00"), ("13:30", "16:30"))


def make_town(index, count, workers=None) -> list[SchoolPage]:
    """`count` schools shared by a few referents (5, or more past 60 schools), each school with one
    weekly half-day permanence that does not clash with the referent's other schools."""
    per_worker = len(_TOWN_DAYS) * len(_TOWN_HOURS)
    workers = workers or SocialWorkerFactory.create_batch(max(5, -(-count // per_worker)))
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
    return ClosurePeriodFactory(name=name, first_day=first_day, last_day=last_day, **fields)


def make_absence(worker, first_day: date, last_day: date, replacement=None, **fields) -> WorkerAbsence:
    return WorkerAbsenceFactory(
        worker=worker, first_day=first_day, last_day=last_day, replacement=replacement, **fields
    )


def make_evening_index(home=None, title="Soirées thématiques", slug="soirees", publish=False):
    return ThematicEveningIndexPageFactory(parent=home or make_site(), title=title, slug=slug, publish=publish)


def make_evening(index, title=None, day: date | None = None, start="18:30", end="20:30", publish=False, **fields):
    if title:
        fields["title"] = title
    if day:
        fields["date"] = day
    return ThematicEveningPageFactory(
        parent=index, start_time=_clock(start), end_time=_clock(end), publish=publish, **fields
    )
