"""Intake: appointment requests, their timeline, the notification outbox, evening registrations."""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from forms.search import search_text

# Unambiguous alphabet for references read over the phone: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def new_short_token() -> str:
    """The token of a short link: 12 random bytes (96 bits), 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


class NotifyBy(models.TextChoices):
    """How the family chose to be told (see forms.notifications.channels)."""

    SMS = "sms", _("Par SMS")
    EMAIL = "email", _("Par e-mail")
    BOTH = "both", _("Par SMS et par e-mail")


@register_setting(icon="date")
class BookingSettings(BaseGenericSetting):
    """Booking rules the service manager can change without a developer."""

    minimum_notice_hours = models.PositiveIntegerField(_("délai minimum (heures)"), default=24)
    horizon_weeks = models.PositiveIntegerField(_("horizon de réservation (semaines)"), default=6)
    change_cutoff_hours = models.PositiveIntegerField(
        _("délai pour déplacer ou annuler (heures)"),
        default=24,
        help_text=_(
            "Jusqu'à combien d'heures avant le rendez-vous la famille peut le déplacer ou l'annuler "
            "elle-même ; ensuite, la page lui donne les numéros à appeler."
        ),
    )
    retention_months = models.PositiveIntegerField(
        _("durée de conservation (mois)"),
        default=24,
        help_text=_("Après ce délai, les demandes closes sont anonymisées (recommandation CNIL pour les CCAS)."),
    )

    reminder_hours = models.PositiveIntegerField(
        _("rappel aux familles (heures avant le rendez-vous)"),
        default=48,
        help_text=_("0 : pas de rappel. Le rappel part par le moyen choisi par la famille (SMS ou e-mail)."),
    )
    no_show_message = models.BooleanField(
        _("message « nous ne vous avons pas vu » après une absence"),
        default=True,
        help_text=_("Envoyé une fois à la famille, avec le lien pour reprendre rendez-vous."),
    )
    sms_per_number_per_day = models.PositiveIntegerField(
        _("SMS par numéro et par jour (au plus)"),
        default=6,
        help_text=_("Au-delà, les SMS vers ce numéro ne partent pas (l'e-mail part à la place s'il y en a un)."),
    )
    sms_daily_budget = models.PositiveIntegerField(
        _("SMS par jour pour tout le service (au plus)"),
        default=300,
        help_text=_("Au-delà, les SMS attendent (jamais envoyés la nuit) et le tableau de bord prévient."),
    )
    # A setting the manager edits, not a deploy-time one: a new partner's domain must not
    # wait for a developer, and a domain is no secret (see Referral.referrer_verified).
    trusted_email_domains = models.TextField(
        _("domaines d'e-mail professionnels de confiance"),
        blank=True,
        help_text=_(
            "Un domaine par ligne, par exemple ac-versailles.fr. Une orientation envoyée depuis une autre "
            "adresse arrive quand même, marquée « référent non vérifié »."
        ),
    )

    panels = [
        FieldPanel("minimum_notice_hours"),
        FieldPanel("horizon_weeks"),
        FieldPanel("change_cutoff_hours"),
        FieldPanel("retention_months"),
        FieldPanel("reminder_hours"),
        FieldPanel("no_show_message"),
        FieldPanel("sms_per_number_per_day"),
        FieldPanel("sms_daily_budget"),
        FieldPanel("trusted_email_domains"),
    ]

    class Meta:
        verbose_name = _("règles de réservation")

    def trusted_domains(self) -> list[str]:
        lines = (line.strip().lower().lstrip("@") for line in self.trusted_email_domains.splitlines())
        return [line for line in lines if line]

    def trusts_email(self, email: str) -> bool:
        """Whether an address is on a trusted domain or one of its subdomains."""
        domain = email.rpartition("@")[2].strip().lower()
        return bool(domain) and any(domain == d or domain.endswith(f".{d}") for d in self.trusted_domains())


class TsTzRange(Func):
    """PostgreSQL's tstzrange(start, end): half-open, so back-to-back appointments never overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class WorkerTimeConstraint(ExclusionConstraint):
    """No two active appointments of one worker overlap (DESIGN.md rule 2), held by PostgreSQL
    (an exclusion constraint, btree_gist for the worker column). Other databases (SQLite under
    `make run`) have no exclusion constraint: no DDL there, and the same refusal comes from
    forms.booking.slots.save_slot(), the one path every writer of a slot takes."""

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if schema_editor.connection.vendor == "postgresql" else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if schema_editor.connection.vendor == "postgresql" else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if schema_editor.connection.vendor == "postgresql" else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor == "postgresql":
            return super().validate(model, instance, exclude, using)
        return None  # checked by forms.booking.slots.save_slot() inside the writer's transaction


# Active statuses hold a worker's time; the constraints below name them as stored values.
_HOLDS_TIME = Q(status__in=["new", "acknowledged", "scheduled"])


class AppointmentRequest(models.Model):
    class Mode(models.TextChoices):
        SCHOOL = "school", _("À l'école, pendant la permanence")
        CCAS = "ccas", _("Au CCAS")
        PHONE = "phone", _("Par téléphone")
        HOME = "home", _("À domicile")

    class Reason(models.TextChoices):
        SCHOOLING = "schooling", _("Scolarité")
        HEALTH = "health", _("Santé ou handicap")
        FAMILY = "family", _("Difficultés familiales")
        RIGHTS = "rights", _("Accès aux droits et démarches")
        MONEY = "money", _("Aide pour une sortie scolaire ou la cantine")
        LEISURE = "leisure", _("Loisirs et vacances")
        OTHER = "other", _("Autre")

    class Requester(models.TextChoices):
        PARENT = "parent", _("Parent")
        FAMILY = "family", _("Autre membre de la famille")

    class Source(models.TextChoices):
        """Where a request came from (the statistics' "sources"): a professional's referral,
        the family online, or a request a worker, the manager or an assistant recorded."""

        TEACHER = "teacher", _("Enseignant·e")
        DIRECTOR = "director", _("Direction d'école")
        PARTNER = "partner", _("Partenaire")
        PARENT = "parent", _("Parent")
        RELATIVE = "relative", _("Autre membre de la famille")
        PERMANENCE = "permanence", _("À la permanence")
        PHONE = "phone", _("Appel téléphonique")
        EMAIL = "email", _("E-mail reçu")
        CCAS_DESK = "ccas_desk", _("Accueil du CCAS")

    REFERRAL_SOURCES = [Source.TEACHER, Source.DIRECTOR, Source.PARTNER]
    STAFF_SOURCES = [Source.PERMANENCE, Source.PHONE, Source.EMAIL, Source.CCAS_DESK]

    class Routing(models.TextChoices):
        REFERENT = "referent", _("Référent de l'école")
        REPLACEMENT = "replacement", _("Remplaçant·e")
        SERVICE = "service", _("File du service")
        MANUAL = "manual", _("Réaffectation manuelle")
        DIRECT = "direct", _("Affectation directe à l'enregistrement")

    class Captcha(models.TextChoices):
        PASSED = "passed", _("Vérifié")
        DECLINED = "declined", _("Refusé par la famille")
        NOT_CONFIGURED = "off", _("Non configuré")

    class Status(models.TextChoices):
        NEW = "new", _("Nouvelle")
        ACKNOWLEDGED = "acknowledged", _("Prise en compte")
        SCHEDULED = "scheduled", _("Rendez-vous fixé")
        DONE = "done", _("Rendez-vous honoré")
        NO_SHOW = "no_show", _("Absent·e au rendez-vous")
        CANCELLED_FAMILY = "cancelled_family", pgettext_lazy("request status", "Annulée par la famille")
        CANCELLED_SERVICE = "cancelled_service", pgettext_lazy("request status", "Annulée par le service")

    ACTIVE_STATUSES = [Status.NEW, Status.ACKNOWLEDGED, Status.SCHEDULED]
    CLOSED_STATUSES = [Status.DONE, Status.NO_SHOW, Status.CANCELLED_FAMILY, Status.CANCELLED_SERVICE]

    reference = models.CharField(_("référence"), max_length=7, unique=True, default=new_reference, editable=False)
    # The school in the source language: one identity per school whatever the page language.
    school = models.ForeignKey(
        "services.SchoolPage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("école"),
    )
    assigned_worker = models.ForeignKey(
        "services.SocialWorker",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("travailleur social"),
    )
    routed_as = models.CharField(_("affectation"), max_length=12, choices=Routing.choices)
    routed_at = models.DateTimeField(_("affectée le"), default=timezone.now)
    mode = models.CharField(_("modalité"), max_length=10, choices=Mode.choices)
    slot_start = models.DateTimeField(_("début du rendez-vous"), null=True, blank=True)
    slot_end = models.DateTimeField(_("fin du rendez-vous"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    availabilities = models.TextField(_("disponibilités"), blank=True)
    reason = models.CharField(_("motif"), max_length=12, choices=Reason.choices)
    requester = models.CharField(_("demandeur"), max_length=10, choices=Requester.choices, default=Requester.PARENT)
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices, default=Source.PARENT)
    parent_name = models.CharField(_("nom"), max_length=120)
    phone = models.CharField(_("téléphone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    notify_by = models.CharField(_("prévenir par"), max_length=5, choices=NotifyBy.choices, default=NotifyBy.EMAIL)
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    interpreter_needed = models.BooleanField(_("interprète"), default=False)
    child_first_name = models.CharField(_("prénom de l'enfant"), max_length=60, blank=True)
    child_class = models.CharField(_("classe"), max_length=30, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=5000)
    consent_at = models.DateTimeField(_("consentement"))
    captcha = models.CharField(_("vérification anti-robot"), max_length=10, choices=Captcha.choices)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.NEW)
    # The idempotency key carried by the form: a double-clicked submit creates one request.
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)
    # What the queue's search reads (forms.search): rewritten on every save, blanked by retention.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("demande de rendez-vous")
        verbose_name_plural = _("demandes de rendez-vous")
        ordering = ["-created_at"]
        constraints = [
            # The database, not Python, holds a slot: one active appointment per worker and start
            # (on every database, SQLite included).
            models.UniqueConstraint(
                fields=["assigned_worker", "slot_start"],
                condition=Q(slot_start__isnull=False) & _HOLDS_TIME,
                name="one_active_appointment_per_worker_slot",
            ),
            models.CheckConstraint(
                condition=Q(slot_start__isnull=True) | Q(slot_end__isnull=True) | Q(slot_end__gt=F("slot_start")),
                name="appointment_ends_after_it_starts",
            ),
            # ...and every minute of it: no two active appointments of a worker overlap.
            WorkerTimeConstraint(
                name="active_appointments_of_a_worker_never_overlap",
                expressions=[
                    ("assigned_worker", RangeOperators.EQUAL),
                    (TsTzRange("slot_start", "slot_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(assigned_worker__isnull=False, slot_start__isnull=False, slot_end__isnull=False)
                & _HOLDS_TIME,
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_worker", "status", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["slot_start"]),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCHED_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_text(self):
        """Set `search_text` from the fields the search reads (bulk_create callers call it)."""
        self.search_text = search_text(**{name: getattr(self, name) for name in SEARCHED_FIELDS})

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_referral(self):
        return self.source in self.REFERRAL_SOURCES

    def record(self, kind, user=None, **data):
        return RequestEvent.objects.create(request=self, kind=kind, user=user, data=data)


SEARCHED_FIELDS = frozenset({"reference", "parent_name", "child_first_name", "email", "phone"})


class Referral(models.Model):
    """A professional's referral of a family (DESIGN.md rule 8): who referred, the parent's
    agreement as declared, and a short context for the worker only. The context is never put
    in any message (forms.notifications: worker messages carry the reference only, the
    family's copy the referrer's role and school, the referrer's acknowledgement the reference)."""

    class Role(models.TextChoices):
        TEACHER = "teacher", _("Enseignant·e")
        DIRECTOR = "director", _("Directeur ou directrice d'école")
        SOCIAL_CENTRE = "social_centre", _("Centre social")
        PMI = "pmi", _("PMI (protection maternelle et infantile)")
        PARTNER = "partner", _("Autre partenaire")

    CONTEXT_MAX_LENGTH = 600

    request = models.OneToOneField(AppointmentRequest, on_delete=models.CASCADE, related_name="referral")
    referrer_name = models.CharField(_("nom du professionnel"), max_length=120)
    referrer_role = models.CharField(_("fonction"), max_length=14, choices=Role.choices)
    organisation = models.CharField(_("école ou structure"), max_length=200, blank=True)
    referrer_email = models.EmailField(_("e-mail professionnel"))
    referrer_phone = models.CharField(_("téléphone professionnel"), max_length=20, blank=True)
    # The address's domain was on BookingSettings.trusted_email_domains when it arrived.
    referrer_verified = models.BooleanField(_("référent vérifié"), default=False)
    context = models.TextField(_("contexte"), max_length=CONTEXT_MAX_LENGTH, blank=True)
    parent_agreement_at = models.DateTimeField(_("accord du parent déclaré le"))
    refused_at = models.DateTimeField(_("contact refusé par la famille le"), null=True, blank=True)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")

    def __str__(self):
        return f"referral of {self.request_id}"

    @property
    def source(self) -> str:
        Source = AppointmentRequest.Source
        return {self.Role.TEACHER: Source.TEACHER, self.Role.DIRECTOR: Source.DIRECTOR}.get(
            self.referrer_role, Source.PARTNER
        )


class RequestEvent(models.Model):
    """The timeline of a request: created, routed, notified, viewed, reassigned, cancelled..."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Demande reçue")
        ROUTED = "routed", _("Affectée")
        NOTIFIED = "notified", _("Notification envoyée")
        NOTIFY_FAILED = "notify_failed", _("Échec d'envoi")
        VIEWED = "viewed", _("Consultée")
        ACKNOWLEDGED = "acknowledged", _("Prise en compte")
        SCHEDULED = "scheduled", _("Rendez-vous fixé")
        RESCHEDULED = "rescheduled", _("Rendez-vous déplacé")
        REASSIGNED = "reassigned", _("Réaffectée")
        DONE = "done", _("Rendez-vous honoré")
        NO_SHOW = "no_show", _("Absence au rendez-vous")
        CANCELLED = "cancelled", pgettext_lazy("request history event", "Annulée")
        NOTE = "note", _("Note interne")
        REMINDED = "reminded", _("Rappel envoyé")
        ANONYMISED = "anonymised", _("Anonymisée")
        REFUSED_CONTACT = "refused_contact", _("Contact refusé par la famille")

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self):
        return f"{self.request_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """Transactional outbox: written with the request, sent afterwards, retried with backoff."""

    class Kind(models.TextChoices):
        PARENT_CONFIRMATION = "parent_confirmation", _("Confirmation à la famille")
        PARENT_CANCELLED = "parent_cancelled", _("Annulation à la famille")
        PARENT_SCHEDULED = "parent_scheduled", _("Rendez-vous fixé, à la famille")
        PARENT_REMINDER = "parent_reminder", _("Rappel à la famille")
        PARENT_CANCELLED_BY_FAMILY = "parent_cancelled_by_family", _("Annulation enregistrée, à la famille")
        PARENT_NO_SHOW = "parent_no_show", _("« Nous ne vous avons pas vu », à la famille")
        PARENT_REFERRED = "parent_referred", _("Orientation par un professionnel, à la famille")
        REFERRER_ACKNOWLEDGEMENT = "referrer_acknowledgement", _("Accusé de réception, au professionnel")
        WORKER_NEW = "worker_new", _("Nouvelle demande, au travailleur social")
        WORKER_CANCELLED = "worker_cancelled", _("Annulation, au travailleur social")
        WORKER_MOVED = "worker_moved", _("Rendez-vous déplacé, au travailleur social")
        WORKER_HANDED_OVER = "worker_handed_over", _("Rendez-vous passé à un·e collègue, au travailleur social")
        WORKER_BOOKED = "worker_booked", _("Rendez-vous choisi par la famille orientée, au travailleur social")
        EVENING_CONFIRMATION = "evening_confirmation", _("Inscription à une soirée")
        EVENING_PROMOTED = "evening_promoted", _("Place libérée à une soirée")

    class State(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENT = "sent", _("Envoyée")
        FAILED = "failed", _("Abandonnée")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Delivery(models.TextChoices):
        """What the SMS provider reported later (delivery reports); "" before any report."""

        UNKNOWN = "", _("Pas encore de nouvelles")
        SENT = "sent", _("Transmis à l'opérateur")
        DELIVERED = "delivered", _("Distribué")
        FAILED = "failed", _("Non distribué")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    request = models.ForeignKey(
        AppointmentRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    registration = models.ForeignKey(
        "forms.EveningRegistration", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # An e-mail address, or a mobile number in E.164 for a text message. Blanked by retention.
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=5, default=settings.LANGUAGE_CODE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The appointment start the message is about: a reminder or confirmation of a slot the
    # appointment has since left is never sent (forms.notifications.delivery).
    about_slot = models.DateTimeField(null=True, blank=True)
    # Text messages: the provider's id (the key of its delivery reports), the billed segments
    # and what the provider reported.
    provider_id = models.CharField(max_length=100, blank=True)
    segments = models.PositiveSmallIntegerField(default=0)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.UNKNOWN, blank=True)
    delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["channel", "state", "sent_at"]),
            models.Index(fields=["provider_id"], condition=~Q(provider_id=""), name="notification_provider_id"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.state})"


class EveningRegistration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscrit·e")
        WAITING = "waiting", _("Liste d'attente")
        CANCELLED = "cancelled", pgettext_lazy("evening registration status", "Annulée")

    reference = models.CharField(max_length=7, unique=True, default=new_reference, editable=False)
    # The evening in the source language: capacity is shared by every language.
    evening = models.ForeignKey("services.ThematicEveningPage", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("nom"), max_length=120)
    adults = models.PositiveSmallIntegerField(_("adultes"), default=1)
    children = models.PositiveSmallIntegerField(_("enfants"), default=0)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notify_by = models.CharField(_("prévenir par"), max_length=5, choices=NotifyBy.choices, default=NotifyBy.EMAIL)
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=10, choices=Status.choices)
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscription à une soirée")
        verbose_name_plural = _("inscriptions aux soirées")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["evening", "status", "created_at"])]

    def __str__(self):
        return self.reference

    @property
    def seats(self):
        return self.adults + self.children


class ShortLink(models.Model):
    """The short link of a text message (`/r/<token>`): a random token that opens the family's
    appointment page or evening registration in its language. Expires like the other family links
    (forms.links.LINK_MAX_AGE, and once what it names is over); deleted with the request or
    by the retention command."""

    token = models.CharField(max_length=22, unique=True, default=new_short_token, editable=False)
    request = models.ForeignKey(
        AppointmentRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="short_links"
    )
    registration = models.ForeignKey(
        EveningRegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="short_links"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, registration__isnull=True)
                | Q(request__isnull=True, registration__isnull=False),
                name="short_link_names_one_row",
            )
        ]

    def __str__(self):
        return f"short link #{self.pk}"


class LinkToken(models.Model):
    """The token of a family link (forms.links): the cancel link and the .ics download of an
    appointment, the cancel link of an evening registration, the page of a referred family.
    The token is random and says nothing; only its SHA-256 is kept here, the token itself is in
    the link sent and nowhere else. Revoked once what it names is closed; deleted with the
    request's personal data by the retention command (forms.records.retention)."""

    class Purpose(models.TextChoices):
        # Never shown (no admin lists these rows): the values name the links of forms.links.
        CANCEL = "cancel"
        ICS = "ics"
        EVENING_CANCEL = "evening_cancel"
        REFERRAL = "referral"

    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    request = models.ForeignKey(
        AppointmentRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="link_tokens"
    )
    registration = models.ForeignKey(
        EveningRegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="link_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, registration__isnull=True)
                | Q(request__isnull=True, registration__isnull=False),
                name="link_token_names_one_row",
            )
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.purpose} link #{self.pk}"


class CalendarFeed(models.Model):
    """A worker's private calendar feed (forms.feeds): her appointments and permanences for her
    phone or Outlook, at an address with a random secret token. Only the token's SHA-256 is
    stored: the worker sees the address once, when she creates or resets it."""

    worker = models.OneToOneField(
        "services.SocialWorker",
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("travailleur social"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Off by default: titles say "Rendez-vous" and the reference, never who or why.
    show_details = models.BooleanField(_("noms et motifs dans les titres"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agenda privé")

    def __str__(self):
        return f"calendar feed of worker #{self.worker_id}"


class AccessRecord(models.Model):
    """Who looked at which listing of families' data, and when (forms.records.audit): the
    queue, its search, the agenda, the dashboard, the statistics and their exports, an evening's
    list of names, and every refused attempt on a request. Says what was looked at (the queue
    and its filters), never the data, nor a search's words (a name is personal data). Opening
    and changing a request are in Wagtail's log; these rows are kept for
    forms.records.retention.ACCESS_LOG_MONTHS."""

    class What(models.TextChoices):
        QUEUE = "queue", _("File de demandes")
        SEARCH = "search", _("Recherche dans les demandes")
        AGENDA = "agenda", _("Agenda")
        DASHBOARD = "dashboard", _("Tableau de bord")
        STATISTICS = "statistics", _("Statistiques")
        EXPORT = "export", _("Export des statistiques")
        EVENING = "evening", _("Liste des inscrits à une soirée")
        REFUSED = "refused", _("Accès refusé à une demande")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account is deleted: the log must still say who.
    username = models.CharField(_("compte"), max_length=150)
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    what = models.CharField(_("consultation"), max_length=12, choices=What.choices)
    detail = models.JSONField(_("détail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("journal des consultations")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.username} {self.what} {self.at:%Y-%m-%d %H:%M}"
