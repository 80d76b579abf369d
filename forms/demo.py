"""Demo of the workers' side: one account per role and about 200 requests over the past year,
so that queues, agenda and statistics look real. Idempotent: accounts are found by username,
requests by a submission key derived from their number.

portal's load_demo calls `load(home, locales, log, warn)` after the services demo."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.pages import in_source_language
from forms.booking.routing import route_request
from forms.models import AppointmentRequest, BookingSettings, Notification, NotifyBy, Referral, RequestEvent
from forms.phone import to_e164
from forms.records.permissions import ASSISTANTS, MANAGER, WORKERS
from services.availability import cut_slots
from services.models import SchoolPage, SocialWorker
from services.roles import COMMUNICATION
from services.schedule import PARIS, closed_days, permanence_occurrences, today

DEMO_PASSWORD = "demo-ccas-villebelle"
# username, first name, last name, group, linked worker (public name)
ACCOUNTS = [
    ("referente", "Claire", "Leroy", WORKERS, "Mme Claire Leroy"),
    ("benali", "Karim", "Benali", WORKERS, "M. Karim Benali"),
    ("responsable", "Sophie", "Garnier", MANAGER, None),
    ("secretariat", "Nadia", "Moreau", ASSISTANTS, None),
    ("communication", "Lucas", "Petit", COMMUNICATION, None),
]
REQUEST_COUNT = 200
KEY_NAMESPACE = uuid.UUID("6f1c1f8e-2b7a-4c53-9d1e-5e0c8a7b7d21")

AR = AppointmentRequest
Status, Mode, Reason, Kind = AR.Status, AR.Mode, AR.Reason, RequestEvent.Kind

FAMILIES = {
    "fr": [
        ("Julie", "Martin"),
        ("Sandrine", "Dubois"),
        ("Kevin", "Lefebvre"),
        ("Aurélie", "Roux"),
        ("Nicolas", "Fournier"),
        ("Céline", "Girard"),
        ("Mélanie", "Bonnet"),
        ("Jérôme", "Lambert"),
        ("Stéphanie", "Fontaine"),
        ("David", "Chevalier"),
        ("Laetitia", "Robin"),
        ("Émilie", "Mercier"),
    ],
    "ar": [
        ("Fatima", "Benali"),
        ("Karima", "Haddad"),
        ("Youssef", "El Amrani"),
        ("Samira", "Bouzid"),
        ("Mohamed", "Cherif"),
        ("Nadia", "Mansouri"),
    ],
    "pt": [("Ana", "Silva"), ("Joana", "Pereira"), ("Carlos", "Santos"), ("Mariana", "Costa")],
    "tr": [("Ayşe", "Yılmaz"), ("Mehmet", "Kaya"), ("Elif", "Demir"), ("Zeynep", "Şahin")],
    "en": [("Grace", "Okafor"), ("John", "Mensah")],
}
CHILDREN = [
    "Léa",
    "Nolan",
    "Inès",
    "Adam",
    "Jade",
    "Yanis",
    "Lina",
    "Sacha",
    "Maël",
    "Sofia",
    "Rayan",
    "Chloé",
]
CLASSES = ["PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2"]
MESSAGES = [
    "Bonjour, je voudrais parler de la cantine, nous avons du mal à payer ce trimestre.",
    "Mon fils ne veut plus aller à l'école depuis la rentrée.",
    "J'ai besoin d'aide pour un dossier de la CAF.",
    "Nous aimerions inscrire notre fille à la ludothèque.",
    "",
    "Je préfère être appelée le matin.",
]
LANGUAGE_WEIGHTS = [("fr", 60), ("ar", 15), ("pt", 10), ("tr", 10), ("en", 5)]
MODE_WEIGHTS = [(Mode.SCHOOL, 45), (Mode.CCAS, 25), (Mode.PHONE, 20), (Mode.HOME, 10)]
CLOSED_WEIGHTS = [
    (Status.DONE, 62),
    (Status.NO_SHOW, 12),
    (Status.CANCELLED_FAMILY, 16),
    (Status.CANCELLED_SERVICE, 10),
]
# Where the demo's requests come from, close to the towns this is modelled on (Nanterre:
# 45 % teachers, 40 % parents; Aurillac: most interviews start at the permanence or by phone).
SOURCE_WEIGHTS = [
    (AR.Source.TEACHER, 30),
    (AR.Source.DIRECTOR, 7),
    (AR.Source.PARTNER, 6),
    ("online", 32),
    (AR.Source.PERMANENCE, 13),
    (AR.Source.PHONE, 8),
    (AR.Source.EMAIL, 2),
    (AR.Source.CCAS_DESK, 2),
]
TRUSTED_DOMAIN = "ac-versailles.fr"
TEACHERS = ["Sophie Durand", "Marc Lefort", "Isabelle Caron", "Thomas Henry", "Claire Vidal", "Hélène Morel"]
PARTNERS = [
    (Referral.Role.SOCIAL_CENTRE, "Centre social des Tilleuls", "Nadia Perrin"),
    (Referral.Role.PMI, "PMI du centre-ville", "Dr Anne Rolland"),
    (Referral.Role.PARTNER, "Maison des solidarités", "Julien Faure"),
]
CONTEXTS = [
    "Enfant souvent fatigué en classe, la maman souhaite de l'aide pour les démarches.",
    "Retards répétés le matin ; la famille vient d'arriver dans le quartier.",
    "La famille a du mal à payer la cantine et la sortie de fin d'année.",
    "",
]
PLACES = {Mode.CCAS: "CCAS, 2 place de la République", Mode.PHONE: "Par téléphone", Mode.HOME: "À domicile"}


def _pick(rng, weights):
    values, cumulative = zip(*weights, strict=True)
    return rng.choices(values, weights=cumulative)[0]


def ensure_accounts(log=print):
    User = get_user_model()
    created = []
    for username, first, last, group_name, worker_name in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@ccas-villebelle.example.fr",
            )
            # Known passwords only on a developer's machine; elsewhere an account to activate by reset.
            if settings.DEBUG:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
            created.append(username)
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            user.groups.add(group)
        if worker_name:
            SocialWorker.objects.filter(public_name=worker_name, user__isnull=True).update(user=user)
    if created:
        log(f"{len(created)} staff accounts created: {', '.join(created)}")
    if settings.DEBUG:
        names = ", ".join(a[0] for a in ACCOUNTS)
        log(f"Staff accounts (development only): {names}  password: {DEMO_PASSWORD}")


class SlotBook:
    """Appointment times already given, per worker: the demo respects the constraints (no two
    appointments of a worker overlap, forms.models.WorkerTimeConstraint)."""

    def __init__(self):
        self.used: dict[int, list[tuple]] = {}
        for worker_id, start, end in AR.objects.filter(slot_start__isnull=False, slot_end__isnull=False).values_list(
            "assigned_worker_id", "slot_start", "slot_end"
        ):
            self.take(worker_id, start, end)

    def free(self, worker_id, start, end):
        return not any(s < end and start < e for s, e in self.used.get(worker_id, ()))

    def take(self, worker_id, start, end):
        self.used.setdefault(worker_id, []).append((start, end))


def permanence_slots(permanences, first, last):
    """Every slot of these permanences between two days, with its occurrence, cut as the
    booking cuts them (services.availability). Who holds each one is asked when a request
    takes it (route_request)."""
    return [
        (slot.start, slot.end, occurrence)
        for occurrence in permanence_occurrences(permanences, first, last, closed_days(first, last))
        for slot in cut_slots(occurrence)
    ]


def _office_slot(rng, day, book, worker_id):
    """An appointment at the CCAS, at home or by phone: a weekday, on the hour or half-hour."""
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    for _attempt in range(20):
        start = datetime.combine(day, time(rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 30])), tzinfo=PARIS)
        if book.free(worker_id, start, start + timedelta(minutes=45)):
            return start, start + timedelta(minutes=45)
    return None, None


def build_requests(rng, schools, now):
    """The demo requests (unsaved) and their timeline events (unsaved), deterministic."""
    book = SlotBook()
    staff = {u.username: u for u in get_user_model().objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    current = today()
    past_slots = {}
    future_slots = {}
    for school in schools:
        permanences = list(school.permanences.all())
        past_slots[school.pk] = permanence_slots(
            permanences, current - timedelta(days=365), current - timedelta(days=1)
        )
        future_slots[school.pk] = permanence_slots(permanences, current, current + timedelta(days=28))

    families = []
    for language, names in FAMILIES.items():
        for first, last in names:
            families.append(
                (
                    language,
                    f"{first} {last}",
                    f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                )
            )
    items = []
    for number in range(REQUEST_COUNT):
        key = uuid.uuid5(KEY_NAMESPACE, f"demo-request-{number}")
        language = _pick(rng, LANGUAGE_WEIGHTS)
        same_language = [f for f in families if f[0] == language] or families
        _lang, name, phone = rng.choice(same_language)
        if rng.random() < 0.3:  # a new family, never seen before
            phone = f"07 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        school = rng.choice(schools) if rng.random() > 0.08 else None
        mode = _pick(rng, MODE_WEIGHTS) if school is not None else rng.choice([Mode.CCAS, Mode.PHONE])
        worker = school.referent if school is not None else None
        # Most requests are old and closed; the last three weeks are the live queue.
        recent = number >= REQUEST_COUNT - 45
        created = now - timedelta(days=rng.randint(0, 20) if recent else rng.randint(21, 360), hours=rng.randint(0, 9))
        request = AR(
            school=school,
            assigned_worker=worker,
            routed_as=AR.Routing.REFERENT if worker else AR.Routing.SERVICE,
            routed_at=created,
            mode=mode,
            reason=_pick(rng, [(r, w) for r, w in zip(Reason.values, [30, 15, 20, 15, 10, 5, 5], strict=True)]),
            requester=AR.Requester.PARENT if rng.random() < 0.85 else AR.Requester.FAMILY,
            parent_name=name,
            phone=phone,
            email=f"{name.split()[0].lower()}.{number}@example.org" if rng.random() < 0.6 else "",
            language=language,
            notify_by=NotifyBy.SMS,
            interpreter_needed=language != "fr" and rng.random() < 0.4,
            child_first_name=rng.choice(CHILDREN),
            child_class=rng.choice(CLASSES),
            message=rng.choice(MESSAGES),
            availabilities="" if mode == Mode.SCHOOL else "Le matin, sauf le mercredi",
            consent_at=created,
            captcha=_pick(rng, [(AR.Captcha.PASSED, 80), (AR.Captcha.DECLINED, 15), (AR.Captcha.NOT_CONFIGURED, 5)]),
            submission_key=key,
            created_at=created,
            status=Status.NEW,
        )
        events = [
            RequestEvent(kind=Kind.CREATED, at=created, data={"mode": mode, "language": language}),
            RequestEvent(
                kind=Kind.ROUTED,
                at=created,
                data={
                    "how": request.routed_as,
                    "worker_id": worker.pk if worker else None,
                    "worker": str(worker) if worker else None,
                    "why": "referent" if worker else ("unknown_school" if school is None else "no_referent"),
                },
            ),
        ]
        _source(number, request, events, staff)
        if recent:
            _live(rng, request, events, future_slots, book, staff, now)
        else:
            _closed(rng, request, events, past_slots, book, staff)
        items.append((request, events))
    _agenda_examples(items, book, now)
    return items


def _source(number, request, events, staff):
    """The request's source, from its own generator (the demo's other draws stay as they
    were): a referral gets its unsaved Referral (`request.demo_referral`), a request staff
    took is recorded by the worker or the secretariat, without reCAPTCHA."""
    rng = random.Random(f"demo-source-{number}")
    source = _pick(rng, SOURCE_WEIGHTS)
    if source == "online":
        request.source = AR.Source.RELATIVE if request.requester == AR.Requester.FAMILY else AR.Source.PARENT
        return
    request.source = source
    if source in AR.STAFF_SOURCES:
        request.captcha = AR.Captcha.NOT_CONFIGURED
        events[0].user = _worker_user(request, staff)
        events[0].data["source"] = source
        return
    request.requester = AR.Requester.PARENT
    if source == AR.Source.PARTNER:
        role, organisation, name = rng.choice(PARTNERS)
        email = f"{name.split()[-1].lower()}@partenaire.example.fr"
    else:
        role = Referral.Role.TEACHER if source == AR.Source.TEACHER else Referral.Role.DIRECTOR
        name = rng.choice(TEACHERS)
        organisation = ""
        # Most write from the académie's address; a few from a personal one (flagged).
        domain = TRUSTED_DOMAIN if rng.random() < 0.85 else "gmail.com"
        email = f"{name.split()[0].lower()}.{name.split()[-1].lower()}@{domain}"
    request.demo_referral = Referral(
        referrer_name=name,
        referrer_role=role,
        organisation=organisation,
        referrer_email=email,
        referrer_verified=email.endswith(f"@{TRUSTED_DOMAIN}"),
        context=rng.choice(CONTEXTS),
        parent_agreement_at=request.created_at,
    )
    events[0].data["source"] = source


def _worker_user(request, staff):
    worker = request.assigned_worker
    return worker.user if worker is not None and worker.user_id else staff.get("secretariat")


def _route(request, day):
    route = route_request(request.school, day)
    request.assigned_worker, request.routed_as = route.worker, route.how
    return route


def _live(rng, request, events, future_slots, book, staff, now):
    roll = rng.random()
    slot = None
    if request.mode == Mode.SCHOOL and request.school is not None:
        choices = [s for s in future_slots.get(request.school_id, []) if s[0] > now]
        rng.shuffle(choices)
        for candidate in choices:
            route = route_request(request.school, candidate[0].astimezone(PARIS).date())
            if route.worker is not None and book.free(route.worker.pk, candidate[0], candidate[1]):
                slot = candidate
                _route(request, candidate[0].astimezone(PARIS).date())
                break
    if slot is None:
        route = _route(request, request.created_at.astimezone(PARIS).date())
    events[-1].data = {
        "how": request.routed_as,
        "worker_id": request.assigned_worker_id,
        "worker": str(request.assigned_worker) if request.assigned_worker else None,
        "why": "referent"
        if request.routed_as == AR.Routing.REFERENT
        else ("referent_absent" if request.routed_as == AR.Routing.REPLACEMENT else "unknown_school"),
    }
    worker = request.assigned_worker
    if worker is None:
        return  # waits in the service-wide queue
    if slot is not None:
        request.slot_start, request.slot_end = slot[0], slot[1]
        request.place = f"{request.school.title}, {slot[2].place}"
        book.take(worker.pk, slot[0], slot[1])
    user = _worker_user(request, staff)
    if roll < 0.4:
        return  # new
    ack = min(request.created_at + timedelta(hours=rng.randint(2, 30)), now)
    events.append(RequestEvent(kind=Kind.VIEWED, at=ack - timedelta(minutes=5), user=user))
    events.append(RequestEvent(kind=Kind.ACKNOWLEDGED, at=ack, user=user))
    request.status = Status.ACKNOWLEDGED
    if roll < 0.65 and request.slot_start is None:
        return
    if request.slot_start is None:
        start, end = _office_slot(
            rng, (now + timedelta(days=rng.randint(1, 12))).astimezone(PARIS).date(), book, worker.pk
        )
        if start is None:
            return
        request.slot_start, request.slot_end, request.place = start, end, PLACES.get(request.mode, "CCAS")
        book.take(worker.pk, start, end)
    request.status = Status.SCHEDULED
    events.append(
        RequestEvent(
            kind=Kind.SCHEDULED,
            at=ack + timedelta(minutes=10),
            user=user,
            data={"start": request.slot_start.isoformat(), "place": request.place},
        )
    )


def _agenda_examples(items, book, now):
    """The referente's dashboard shows appointments today and tomorrow."""
    leroy = SocialWorker.objects.filter(public_name=ACCOUNTS[0][4]).first()
    if leroy is None:
        return
    waiting = [
        r
        for r, _events in items
        if r.assigned_worker_id == leroy.pk
        and r.status == Status.ACKNOWLEDGED
        and r.slot_start is None
        and r.mode != Mode.SCHOOL
    ]
    local_now = now.astimezone(PARIS)
    candidates = [datetime.combine(local_now.date(), time(h, 0), tzinfo=PARIS) for h in (17, 18)]
    tomorrow = local_now.date() + timedelta(days=1)
    candidates += [datetime.combine(tomorrow, time(h, 30), tzinfo=PARIS) for h in (10, 15)]
    for request, start in zip(
        waiting, [c for c in candidates if c > now and book.free(leroy.pk, c, c + timedelta(minutes=45))], strict=False
    ):
        request.slot_start, request.slot_end = start, start + timedelta(minutes=45)
        request.place, request.status = PLACES.get(request.mode, "CCAS"), Status.SCHEDULED
        book.take(leroy.pk, start, request.slot_end)


def _closed(rng, request, events, past_slots, book, staff):
    worker = request.assigned_worker
    outcome = _pick(rng, CLOSED_WEIGHTS)
    if worker is None:
        # The service triaged it to the school's... or any worker.
        worker = rng.choice(list(SocialWorker.objects.filter(active=True)))
        assigner = staff.get("secretariat")
        at = request.created_at + timedelta(hours=3)
        events.append(
            RequestEvent(
                kind=Kind.REASSIGNED,
                at=at,
                user=assigner,
                data={
                    "from_worker_id": None,
                    "from_worker": None,
                    "to_worker_id": worker.pk,
                    "to_worker": str(worker),
                    "reason": "Tri de la file du service",
                },
            )
        )
        request.assigned_worker, request.routed_as, request.routed_at = worker, AR.Routing.MANUAL, at
    user = _worker_user(request, staff)
    created = request.created_at
    slot_start = None
    if request.mode == Mode.SCHOOL and request.school_id:
        after = [
            s for s in past_slots.get(request.school_id, []) if s[0] > created and book.free(worker.pk, s[0], s[1])
        ]
        if after:
            start, end, occurrence = after[rng.randint(0, min(3, len(after) - 1))]
            slot_start, request.slot_end, request.place = (
                start,
                end,
                f"{request.school.title}, {occurrence.place}",
            )
    if slot_start is None:
        start, end = _office_slot(
            rng, (created + timedelta(days=rng.randint(3, 15))).astimezone(PARIS).date(), book, worker.pk
        )
        if start is not None:
            slot_start, request.slot_end, request.place = start, end, PLACES.get(request.mode, "CCAS")
    request.slot_start = slot_start
    if slot_start is not None:
        book.take(worker.pk, slot_start, request.slot_end)
    closed = (slot_start or created + timedelta(days=5)) + timedelta(hours=1)
    events.append(RequestEvent(kind=Kind.ACKNOWLEDGED, at=created + timedelta(hours=20), user=user))
    if outcome in (Status.CANCELLED_FAMILY, Status.CANCELLED_SERVICE):
        closed = created + timedelta(days=rng.randint(1, 4))
        by_family = outcome == Status.CANCELLED_FAMILY
        events.append(
            RequestEvent(
                kind=Kind.CANCELLED,
                at=closed,
                user=None if by_family else user,
                data={
                    "by": "family" if by_family else "service",
                    **({} if by_family else {"reason": "La famille a trouvé une autre aide."}),
                },
            )
        )
    else:
        events.append(
            RequestEvent(
                kind=Kind.SCHEDULED,
                at=created + timedelta(hours=21),
                user=user,
                data={"start": slot_start.isoformat() if slot_start else "", "place": request.place},
            )
        )
        events.append(RequestEvent(kind=Kind.DONE if outcome == Status.DONE else Kind.NO_SHOW, at=closed, user=user))
        if outcome == Status.DONE and rng.random() < 0.3:
            events.append(
                RequestEvent(
                    kind=Kind.NOTE,
                    at=closed + timedelta(minutes=10),
                    user=user,
                    data={"text": "Orientation vers le centre social ; à revoir dans un mois."},
                )
            )
    request.status, request.closed_at = outcome, closed


def ensure_requests(log=print, warn=print, now=None):
    now = now or timezone.now()
    keys = [uuid.uuid5(KEY_NAMESPACE, f"demo-request-{n}") for n in range(REQUEST_COUNT)]
    if AR.objects.filter(submission_key__in=keys).exists():
        return 0
    schools = list(
        in_source_language(SchoolPage.objects.all())
        .select_related("referent", "referent__user")
        .prefetch_related("permanences")
        .order_by("path")
    )
    if not schools:
        warn("no school: demo requests skipped")
        return 0
    items = build_requests(random.Random(20261123), schools, now)
    with transaction.atomic():
        for request, _events in items:
            request.refresh_search_text()  # bulk_create does not call save()
        requests = AR.objects.bulk_create([request for request, _events in items])
        events = []
        for request, request_events in items:
            for event in request_events:
                event.request = request
                events.append(event)
        RequestEvent.objects.bulk_create(events)
        referrals = []
        for (built, _events), request in zip(items, requests, strict=True):
            referral = getattr(built, "demo_referral", None)
            if referral is not None:
                referral.request = request
                referrals.append(referral)
        Referral.objects.bulk_create(referrals)
        _undelivered_example(requests)
    log(f"{len(requests)} demo appointment requests created")
    return len(requests)


def _undelivered_example(requests):
    """One live request whose confirmation text message did not arrive: the worker's queue
    flags it ("Message non distribué : numéro à vérifier")."""
    live = [r for r in requests if r.status in AR.ACTIVE_STATUSES and r.assigned_worker_id and to_e164(r.phone)]
    if not live:
        return
    request = live[-1]
    Notification.objects.create(
        kind=Notification.Kind.PARENT_CONFIRMATION,
        channel=Notification.Channel.SMS,
        request=request,
        recipient=to_e164(request.phone),
        language=request.language,
        state=Notification.State.SENT,
        sent_at=request.created_at,
        attempts=1,
        provider_id="demo-undelivered",
        delivery=Notification.Delivery.FAILED,
        delivery_at=request.created_at,
    )
    RequestEvent.objects.create(
        request=request,
        kind=Kind.NOTIFY_FAILED,
        at=request.created_at,
        data={"kind": Notification.Kind.PARENT_CONFIRMATION, "channel": "sms", "undelivered": True, "gave_up": True},
    )


def ensure_trusted_domain():
    """The académie's domain trusted, so that the demo's teachers are verified referrers."""
    rules = BookingSettings.load()
    if not rules.trusted_email_domains:
        rules.trusted_email_domains = TRUSTED_DOMAIN
        rules.save(update_fields=["trusted_email_domains"])


def load(home=None, locales=None, log=print, warn=print):
    """Accounts for each role and the demo requests; returns no page to translate."""
    ensure_accounts(log)
    ensure_trusted_domain()
    ensure_requests(log, warn)
    return []
