"""The service's records that are not pages: the social workers, their absences (with the
replacement) and the closure periods. They live apart from the page models so that the rules
the pages use (services.availability, services.schedule) read them without importing
services.models, which imports those rules: no import cycle."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin, TranslatableMixin
from wagtail_localize.fields import SynchronizedField

# Absences, activity, notification address: who receives a family's request (services.roles).
ROUTING_PERMISSION = "services.manage_worker_routing"


class SocialWorker(DraftStateMixin, RevisionMixin, models.Model):
    """A referent social worker: the same person in every language (never translated)."""

    class Job(models.TextChoices):
        SOCIAL_WORKER = "assistant", _("Assistant·e de service social")
        ESF_ADVISER = "cesf", _("Conseiller·ère en économie sociale et familiale")

    public_name = models.CharField(
        _("nom public"),
        max_length=120,
        help_text=_("Tel qu'il est montré aux familles, par exemple « Mme Leroy »."),
    )
    job = models.CharField(_("métier"), max_length=20, choices=Job.choices, default=Job.SOCIAL_WORKER)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
    )
    public_phone = models.CharField(_("téléphone public"), max_length=30, blank=True)
    email = models.EmailField(
        _("e-mail professionnel"),
        blank=True,
        help_text=_("Privé : reçoit les notifications, jamais affiché."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_worker",
        verbose_name=_("compte utilisateur"),
    )
    active = models.BooleanField(_("en activité"), default=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="socialworker")

    panels = [
        FieldPanel("public_name"),
        FieldPanel("job"),
        FieldPanel("photo"),
        FieldPanel("public_phone"),
        # Who receives a family's request (its notifications, its queue) is the service's to
        # decide, not the communication staff's: each field checks the permission, so a form
        # without it neither shows nor takes the field (a POST that names it changes nothing).
        MultiFieldPanel(
            [
                FieldPanel("email", permission=ROUTING_PERMISSION),
                # Linking an account opens a family queue: only the service manager may do it.
                FieldPanel("user", permission="services.link_worker_account"),
                FieldPanel("active", permission=ROUTING_PERMISSION),
            ],
            heading=_("Informations internes (jamais publiées)"),
            permission=ROUTING_PERMISSION,
        ),
    ]

    # Fields that belong to the worker as a whole, not to a revision of her directory entry:
    # publishing a draft saved earlier (by communication staff, say) never brings back an old
    # notification address, account link or activity.
    ROUTING_FIELDS = ("email", "user_id", "active")

    class Meta:
        verbose_name = _("travailleur social")
        verbose_name_plural = _("travailleurs sociaux")
        ordering = ["public_name"]
        permissions = [
            ("link_worker_account", _("Peut lier un travailleur social à un compte utilisateur")),
            (
                "manage_worker_routing",
                _("Gérer les absences, l'activité et l'adresse de notification des travailleurs sociaux"),
            ),
        ]

    def __str__(self):
        return self.public_name

    @classmethod
    def active_by_name(cls):
        """The workers a request or an absence can be given to, as every staff form lists them."""
        return cls.objects.filter(active=True).order_by("public_name")

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.ROUTING_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    @property
    def revisions(self):
        return self._revisions


class WorkerAbsence(models.Model):
    worker = models.ForeignKey(
        SocialWorker, on_delete=models.CASCADE, related_name="absences", verbose_name=_("travailleur social")
    )
    first_day = models.DateField(_("premier jour"))
    last_day = models.DateField(_("dernier jour"))
    replacement = models.ForeignKey(
        SocialWorker,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replacements",
        verbose_name=_("remplaçant·e"),
    )
    note = models.TextField(_("note interne"), blank=True, help_text=_("Jamais publiée."))

    panels = [
        FieldPanel("worker"),
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldPanel("replacement"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-first_day"]
        indexes = [models.Index(fields=["worker", "first_day", "last_day"])]

    def __str__(self):
        return f"{self.worker} : {self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y}"

    def clean(self):
        super().clean()
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("Le dernier jour doit être après le premier jour.")})
        if self.replacement_id and self.replacement_id == self.worker_id:
            raise ValidationError({"replacement": _("Une personne ne peut pas se remplacer elle-même.")})


class ClosurePeriod(models.Model):
    class Kind(models.TextChoices):
        SCHOOL_HOLIDAYS = "vacances", _("Vacances scolaires")
        CCAS_CLOSURE = "fermeture", _("Fermeture du CCAS")

    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.SCHOOL_HOLIDAYS)
    first_day = models.DateField(_("premier jour"))
    last_day = models.DateField(_("dernier jour"))

    panels = [FieldPanel("name"), FieldPanel("kind"), FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")])]

    class Meta:
        verbose_name = _("période de fermeture")
        verbose_name_plural = _("périodes de fermeture")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="closure_days_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y})"

    def clean(self):
        super().clean()
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("Le dernier jour doit être après le premier jour.")})


class SchoolNotice(TranslatableMixin, models.Model):
    """A notice about one school ("la permanence du 14 décembre est annulée"), shown on the
    school page, its booking steps and the API from `first_day` to `last_day` included, then
    gone by itself. With `cancelled_day`, that day's permanence offers no slot
    (services.availability) and the families already booked are listed for the manager.

    Points at the school in the source language; the text is translated (wagtail-localize)."""

    school = models.ForeignKey(
        "services.SchoolPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("école")
    )
    text = models.CharField(_("texte"), max_length=300)
    first_day = models.DateField(_("affichée à partir du"))
    last_day = models.DateField(_("affichée jusqu'au"), help_text=_("Inclus : la note disparaît le lendemain."))
    cancelled_day = models.DateField(
        _("permanence annulée le"),
        null=True,
        blank=True,
        help_text=_("Ce jour-là, la permanence de l'école ne propose plus de créneau."),
    )

    panels = [
        FieldPanel("school"),
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldPanel("cancelled_day"),
    ]
    override_translatable_fields = [
        SynchronizedField("school", overridable=False),
        SynchronizedField("first_day", overridable=False),
        SynchronizedField("last_day", overridable=False),
        SynchronizedField("cancelled_day", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("note d'une école")
        verbose_name_plural = _("notes des écoles")
        ordering = ["-first_day"]
        indexes = [models.Index(fields=["school", "cancelled_day"])]

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("La date de fin doit être après la date de début.")})
        if self.school_id and self.school.locale.language_code != settings.LANGUAGE_CODE:
            raise ValidationError(
                {"school": _("Choisissez l'école en français : la note vaut pour toutes les langues.")}
            )
