"""The public directory of the service: workers, centres, schools, permanences, absences,
closures, collective actions and thematic evenings."""

from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.blocks import RICH_TEXT_FEATURES, BodyBlock
from core.languages import current_language
from core.pages import BasePage, in_source_language, public, source_page
from services.availability import next_occurrences
from services.records import ClosurePeriod, SchoolNotice, SocialWorker, WorkerAbsence  # noqa: F401  (Django finds them here)
from services.schedule import permanences_overlap
from services.text import normalize


class SocialCentre(index.Indexed, ClusterableModel):
    """A neighbourhood social centre a school page points to. Its name may be given in the other
    languages (SocialCentreName); the address stays as the street signs write it, in French."""

    name = models.CharField(_("nom"), max_length=150)
    address = models.TextField(_("adresse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    url = models.URLField(_("site web"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("url"),
        InlinePanel("names", label=_("Nom dans les autres langues")),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("centre social")
        verbose_name_plural = _("centres sociaux")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def name_in(self, language: str | None = None) -> tuple[str, bool]:
        """(the name in `language`, whether it is the French name): a language without its own
        wording shows the French name, marked `lang="fr"` by the template. Reads the prefetched
        `names` when the caller prefetched them."""
        language = (language or current_language()).split("-")[0]
        if language != settings.LANGUAGE_CODE:
            for translation in self.names.all():
                if translation.language == language and translation.name.strip():
                    return translation.name, False
        return self.name, True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        for school in SchoolPage.objects.filter(social_centre=self):
            SchoolPage.objects.filter(pk=school.pk).update(search_text=school.build_search_text())


class SocialCentreName(Orderable):
    """A social centre's name in one of the other languages."""

    centre = ParentalKey(SocialCentre, on_delete=models.CASCADE, related_name="names")
    language = models.CharField(
        _("langue"),
        max_length=5,
        choices=[(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
    )
    name = models.CharField(_("nom"), max_length=150)

    panels = [FieldPanel("language"), FieldPanel("name")]

    class Meta(Orderable.Meta):
        verbose_name = _("nom dans une autre langue")
        constraints = [models.UniqueConstraint(fields=["centre", "language"], name="one_centre_name_per_language")]

    def __str__(self):
        return f"{self.language}: {self.name}"


class SchoolIndexPage(BasePage):
    """The list of schools with the finder (GET `q` and `kind`)."""

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["services.SchoolPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("liste des écoles")


class SchoolPage(BasePage):
    class Kind(models.TextChoices):
        NURSERY = "maternelle", _("École maternelle")
        ELEMENTARY = "elementaire", _("École élémentaire")
        PRIMARY = "primaire", _("École primaire")

    class Network(models.TextChoices):
        NONE = "", _("Hors éducation prioritaire")
        REP = "rep", _("REP")
        REP_PLUS = "rep+", _("REP+")

    kind = models.CharField(_("type d'école"), max_length=20, choices=Kind.choices)
    priority_network = models.CharField(
        _("éducation prioritaire"), max_length=5, choices=Network.choices, blank=True, default=""
    )
    address = models.CharField(_("adresse"), max_length=200)
    postcode = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    neighbourhood = models.CharField(_("quartier"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    uai = models.CharField(
        _("code UAI"),
        max_length=8,
        help_text=_("Code officiel de l'établissement, par exemple 0991234A."),
    )
    social_centre = models.ForeignKey(
        SocialCentre,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schools",
        verbose_name=_("centre social"),
    )
    referent = models.ForeignKey(
        SocialWorker,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schools",
        verbose_name=_("travailleur social référent"),
    )
    families_info = RichTextField(
        _("informations pour les familles"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Comment trouver le bureau, à qui s'adresser à l'accueil…"),
    )
    # Accent-free, lower-case text for the finder; kept by save(), never edited.
    search_text = models.TextField(editable=False, blank=True, default="")

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kind"), FieldPanel("priority_network")]),
                FieldPanel("uai"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")]),
                FieldPanel("neighbourhood"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("social_centre"),
            ],
            heading=_("L'école"),
        ),
        FieldPanel("referent"),
        InlinePanel("permanences", heading=_("Permanences"), label=_("Permanence")),
        FieldPanel("families_info"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("address"),
        index.SearchField("neighbourhood"),
        index.FilterField("kind"),
    ]
    override_translatable_fields = [
        SynchronizedField("kind", overridable=False),
        SynchronizedField("priority_network", overridable=False),
        SynchronizedField("latitude", overridable=False),
        SynchronizedField("longitude", overridable=False),
        SynchronizedField("uai", overridable=False),
        SynchronizedField("address", overridable=False),
        SynchronizedField("postcode", overridable=False),
        SynchronizedField("city", overridable=False),
        SynchronizedField("neighbourhood", overridable=False),
        SynchronizedField("referent", overridable=False),
        SynchronizedField("social_centre", overridable=False),
    ]
    parent_page_types = ["services.SchoolIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("école")
        verbose_name_plural = _("écoles")

    def build_search_text(self):
        centre = self.social_centre.name if self.social_centre_id and self.social_centre else ""
        # A translated school is also found by its French name (the one on the school's gate).
        source_title = self.source_school.title if self.pk and self.source_school is not self else ""
        parts = [self.title, source_title, self.address, self.postcode, self.city, self.neighbourhood, centre, self.uai]
        return normalize(" ".join(p for p in parts if p))

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.uai:
            self.uai = self.uai.strip().upper()
            clash = SchoolPage.objects.filter(uai=self.uai).exclude(translation_key=self.translation_key)
            if clash.exists():
                raise ValidationError({"uai": _("Une autre école porte déjà ce code UAI.")})
        if self.referent_id:
            clash = overlapping_permanence(self.referent, list(self.permanences.all()), self.translation_key)
            if clash:
                raise ValidationError(
                    _("%(worker)s tient déjà une permanence à ce moment-là : %(clash)s.")
                    % {"worker": self.referent, "clash": clash}
                )

    @property
    def source_school(self):
        """The school in the source language: one identity whatever the language used."""
        return source_page(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Computed when the template reads it: not at all when the schedule comes from the cache.
        context["next_permanences"] = SimpleLazyObject(lambda: next_occurrences(self, count=4))
        return context


class Permanence(TranslatableMixin, Orderable):
    """A weekly half-day of the referent at the school. Only the place is translated."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("lundi")
        TUESDAY = 2, _("mardi")
        WEDNESDAY = 3, _("mercredi")
        THURSDAY = 4, _("jeudi")
        FRIDAY = 5, _("vendredi")
        SATURDAY = 6, _("samedi")
        SUNDAY = 7, _("dimanche")

    class Recurrence(models.TextChoices):
        WEEKLY = "weekly", _("Toutes les semaines")
        EVEN_WEEKS = "even", _("Semaines paires")
        ODD_WEEKS = "odd", _("Semaines impaires")

    school = ParentalKey(SchoolPage, on_delete=models.CASCADE, related_name="permanences")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    place = models.CharField(_("lieu dans l'école"), max_length=150, blank=True)
    recurrence = models.CharField(_("fréquence"), max_length=10, choices=Recurrence.choices, default=Recurrence.WEEKLY)
    valid_from = models.DateField(_("à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    bookable = models.BooleanField(_("réservable en ligne"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée d'un créneau (minutes)"), default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )

    panels = [
        FieldRowPanel([FieldPanel("weekday"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldPanel("place"),
        FieldRowPanel([FieldPanel("recurrence"), FieldPanel("valid_from"), FieldPanel("valid_until")]),
        FieldRowPanel([FieldPanel("bookable"), FieldPanel("slot_minutes")]),
    ]
    override_translatable_fields = [
        SynchronizedField("weekday", overridable=False),
        SynchronizedField("start_time", overridable=False),
        SynchronizedField("end_time", overridable=False),
        SynchronizedField("recurrence", overridable=False),
        SynchronizedField("valid_from", overridable=False),
        SynchronizedField("valid_until", overridable=False),
        SynchronizedField("bookable", overridable=False),
        SynchronizedField("slot_minutes", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("permanence")
        verbose_name_plural = _("permanences")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("L'heure de fin doit être après l'heure de début.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("La date de fin doit être après la date de début.")})

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_until and day > self.valid_until:
            return False
        if day.isoweekday() != self.weekday:
            return False
        week = day.isocalendar().week
        if self.recurrence == self.Recurrence.EVEN_WEEKS:
            return week % 2 == 0
        if self.recurrence == self.Recurrence.ODD_WEEKS:
            return week % 2 == 1
        return True


class CollectiveActionIndexPage(BasePage):
    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["services.CollectiveActionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("liste des actions collectives")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["actions"] = (
            public(CollectiveActionPage.objects.child_of(self).live()).defer_streamfields().order_by("-first_day")
        )
        return context


class CollectiveActionPage(BasePage):
    """A toy library, a family week-end, an outing: what, when, where, with whom."""

    first_day = models.DateField(_("premier jour"), null=True, blank=True)
    last_day = models.DateField(_("dernier jour"), null=True, blank=True)
    when = models.CharField(
        _("quand"), max_length=200, blank=True, help_text=_("Par exemple « tous les mercredis de 14 h à 17 h ».")
    )
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    partners = models.CharField(_("partenaires"), max_length=300, blank=True)
    schools = ParentalManyToManyField(SchoolPage, blank=True, related_name="+", verbose_name=_("écoles concernées"))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("description"))

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldPanel("when"),
        FieldPanel("place"),
        FieldPanel("partners"),
        FieldPanel("schools"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("when"),
        index.SearchField("place"),
        index.SearchField("partners"),
        index.SearchField("body"),
    ]
    override_translatable_fields = [
        SynchronizedField("first_day", overridable=False),
        SynchronizedField("last_day", overridable=False),
        SynchronizedField("schools", overridable=False),
    ]
    parent_page_types = ["services.CollectiveActionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("action collective")
        verbose_name_plural = _("actions collectives")


class ThematicEveningIndexPage(BasePage):
    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["services.ThematicEveningPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("liste des soirées thématiques")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        evenings = public(ThematicEveningPage.objects.child_of(self).live()).defer_streamfields()
        today = timezone.localdate()
        context["upcoming"] = evenings.filter(date__gte=today).order_by("date", "start_time")
        context["past"] = evenings.filter(date__lt=today).order_by("-date")[:12]
        return context


class ThematicEveningPage(BasePage):
    class Audience(models.TextChoices):
        PARENTS = "parents", _("Parents")
        PARENTS_CHILDREN = "familles", _("Parents et enfants")
        PROFESSIONALS = "pros", _("Parents et professionnels")

    date = models.DateField(_("date"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=200)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    theme = models.CharField(_("thème"), max_length=150)
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices, default=Audience.PARENTS)
    capacity = models.PositiveIntegerField(
        _("nombre de places"),
        default=30,
        help_text=_("Au-delà, les inscriptions vont sur liste d'attente."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("description"))

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldPanel("place"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("theme"), FieldPanel("audience")]),
        FieldPanel("capacity"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("theme", boost=2),
        index.SearchField("place"),
        index.SearchField("body"),
    ]
    override_translatable_fields = [
        SynchronizedField("date", overridable=False),
        SynchronizedField("start_time", overridable=False),
        SynchronizedField("end_time", overridable=False),
        SynchronizedField("address", overridable=False),
        SynchronizedField("audience", overridable=False),
        SynchronizedField("capacity", overridable=False),
    ]
    parent_page_types = ["services.ThematicEveningIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("soirée thématique")
        verbose_name_plural = _("soirées thématiques")

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("L'heure de fin doit être après l'heure de début.")})

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.start_time or time(18)))

    @property
    def ends_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.end_time or time(20)))

    @property
    def is_past(self) -> bool:
        return self.date < timezone.localdate()


def overlapping_permanence(worker, permanences: list, translation_key) -> str | None:
    """Describe a clash between these permanences and each other or the worker's other schools."""
    candidates = [p for p in permanences if p.start_time and p.end_time and p.weekday]
    for i, a in enumerate(candidates):
        for b in candidates[i + 1 :]:
            if permanences_overlap(a, b):
                return str(b)
    others = (
        in_source_language(Permanence.objects.filter(school__referent=worker), through="school")
        .exclude(school__translation_key=translation_key)
        .select_related("school")
    )
    for other in others:
        for a in candidates:
            if permanences_overlap(a, other):
                return f"{other.school.title}, {other}"
    return None
