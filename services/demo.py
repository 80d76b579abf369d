"""Demo directory: a town of 12 schools, 5 workers, 3 social centres, events. Idempotent."""

from datetime import time, timedelta

from services.closures import seed_school_holidays
from services.models import (
    CollectiveActionIndexPage,
    CollectiveActionPage,
    Permanence,
    SchoolIndexPage,
    SchoolPage,
    SocialCentre,
    SocialCentreName,
    SocialWorker,
    ThematicEveningIndexPage,
    ThematicEveningPage,
    WorkerAbsence,
)
from services.schedule import today

WORKERS = [
    ("leroy", "Mme Claire Leroy", SocialWorker.Job.SOCIAL_WORKER, "01 23 45 67 01"),
    ("benali", "M. Karim Benali", SocialWorker.Job.SOCIAL_WORKER, "01 23 45 67 02"),
    ("ferreira", "Mme Ana Ferreira", SocialWorker.Job.ESF_ADVISER, "01 23 45 67 03"),
    ("yilmaz", "Mme Elif Yilmaz", SocialWorker.Job.SOCIAL_WORKER, "01 23 45 67 04"),
    ("martin", "M. Thomas Martin", SocialWorker.Job.SOCIAL_WORKER, "01 23 45 67 05"),
]

CENTRES = [
    ("bruyeres", "Centre social des Bruyères", "4 allée des Bruyères\n99100 Villebelle", "01 23 45 70 10"),
    ("val", "Centre social du Val Fleuri", "18 rue des Lilas\n99100 Villebelle", "01 23 45 70 20"),
    ("garenne", "Espace familles de la Garenne", "2 place de la Garenne\n99100 Villebelle", "01 23 45 70 30"),
]

# The centres' names in the other languages: the common noun translated, the proper name as the
# sign on the door writes it (transliterated in Arabic, so that it can be read aloud and asked for).
CENTRE_NAMES = {
    "bruyeres": {
        "en": "Les Bruyères social centre",
        "ar": "المركز الاجتماعي لي برويير",
        "pt": "Centro social Les Bruyères",
        "tr": "Les Bruyères Sosyal Merkezi",
    },
    "val": {
        "en": "Val Fleuri social centre",
        "ar": "المركز الاجتماعي فال فلوري",
        "pt": "Centro social Val Fleuri",
        "tr": "Val Fleuri Sosyal Merkezi",
    },
    "garenne": {
        "en": "La Garenne family centre",
        "ar": "فضاء العائلات لا غارين",
        "pt": "Espaço famílias La Garenne",
        "tr": "La Garenne Aile Merkezi",
    },
}

M, E, P = SchoolPage.Kind.NURSERY, SchoolPage.Kind.ELEMENTARY, SchoolPage.Kind.PRIMARY
WEEKLY, EVEN, ODD = Permanence.Recurrence.WEEKLY, Permanence.Recurrence.EVEN_WEEKS, Permanence.Recurrence.ODD_WEEKS
MORNING, AFTERNOON = (time(8, 30), time(12, 0)), (time(13, 30), time(16, 30))

# slug, name, kind, network, address, neighbourhood, centre, worker, (weekday, half-day, recurrence), place
SCHOOLS = [
    (
        "jules-ferry-maternelle",
        "École maternelle Jules-Ferry",
        M,
        "",
        "3 rue Jules-Ferry",
        "Centre-ville",
        None,
        "leroy",
        (1, MORNING, WEEKLY),
        "Bureau à côté de la salle de motricité",
    ),
    (
        "jules-ferry-elementaire",
        "École élémentaire Jules-Ferry",
        E,
        "",
        "5 rue Jules-Ferry",
        "Centre-ville",
        None,
        "leroy",
        (2, MORNING, WEEKLY),
        "Bureau du rez-de-chaussée, à gauche de l'entrée",
    ),
    (
        "louise-michel",
        "École primaire Louise-Michel",
        P,
        "",
        "27 avenue de la Gare",
        "Centre-ville",
        None,
        "leroy",
        (4, AFTERNOON, EVEN),
        "Salle des parents, premier étage",
    ),
    (
        "les-tilleuls",
        "École maternelle Les Tilleuls",
        M,
        "",
        "9 chemin des Tilleuls",
        "Les Bruyères",
        "bruyeres",
        "benali",
        (1, AFTERNOON, WEEKLY),
        "Bureau de la directrice",
    ),
    (
        "jean-jaures",
        "École élémentaire Jean-Jaurès",
        E,
        "rep",
        "40 boulevard Jean-Jaurès",
        "Les Bruyères",
        "bruyeres",
        "benali",
        (2, MORNING, EVEN),
        "Salle 4, au fond de la cour",
    ),
    (
        "pauline-kergomard",
        "École maternelle Pauline-Kergomard",
        M,
        "rep",
        "12 rue Pauline-Kergomard",
        "Les Bruyères",
        "bruyeres",
        "benali",
        (2, MORNING, ODD),
        "Bureau de l'infirmerie",
    ),
    (
        "marie-curie",
        "École élémentaire Marie-Curie",
        E,
        "",
        "1 place Marie-Curie",
        "Le Val Fleuri",
        "val",
        "ferreira",
        (4, MORNING, WEEKLY),
        "Bibliothèque de l'école",
    ),
    (
        "victor-hugo",
        "École maternelle Victor-Hugo",
        M,
        "",
        "16 rue Victor-Hugo",
        "Le Val Fleuri",
        "val",
        "ferreira",
        (5, MORNING, WEEKLY),
        "Petite salle à droite de l'accueil",
    ),
    (
        "paul-langevin",
        "École élémentaire Paul-Langevin",
        E,
        "rep+",
        "8 rue Paul-Langevin",
        "La Garenne",
        "garenne",
        "yilmaz",
        (1, MORNING, WEEKLY),
        "Bureau des parents, bâtiment B",
    ),
    (
        "simone-veil",
        "École maternelle Simone-Veil",
        M,
        "rep+",
        "3 allée Simone-Veil",
        "La Garenne",
        "garenne",
        "yilmaz",
        (4, MORNING, ODD),
        "Salle polyvalente",
    ),
    (
        "jacques-prevert",
        "École élémentaire Jacques-Prévert",
        E,
        "",
        "22 rue Jacques-Prévert",
        "La Garenne",
        "garenne",
        "yilmaz",
        (5, AFTERNOON, WEEKLY),
        "Bureau du rez-de-chaussée",
    ),
    (
        "lucie-aubrac",
        "École primaire Lucie-Aubrac",
        P,
        "",
        "7 rue Lucie-Aubrac",
        "Centre-ville",
        None,
        "martin",
        (2, AFTERNOON, WEEKLY),
        "Salle des maîtres, sur rendez-vous à l'accueil",
    ),
]

FAMILIES_INFO = (
    "<p>Présentez-vous à l'accueil de l'école : le gardien ou la directrice vous accompagne jusqu'au bureau. "
    "Vous pouvez venir avec votre enfant.</p>"
)

ACTIONS = [
    (
        "ludotheque",
        "Ludothèque des familles",
        "Jouer ensemble, emprunter des jeux, rencontrer d'autres parents.",
        "Tous les mercredis de 14 h à 17 h, hors vacances scolaires",
        "Centre social des Bruyères",
        "Centre social des Bruyères, médiathèque municipale",
        ["les-tilleuls", "jean-jaures", "pauline-kergomard"],
    ),
    (
        "week-end-familles",
        "Week-end familles à la mer",
        "Deux jours à la mer pour des familles qui partent peu en vacances.",
        "Un week-end en juin",
        "Départ devant le CCAS",
        "Caisse d'allocations familiales, association Vacances et familles",
        ["paul-langevin", "simone-veil", "jacques-prevert"],
    ),
    (
        "sorties-culturelles",
        "Sorties culturelles parents-enfants",
        "Musée, théâtre, ferme pédagogique : une sortie par mois.",
        "Un samedi par mois",
        "Selon la sortie",
        "Service culturel de la ville",
        ["marie-curie", "victor-hugo"],
    ),
]

# slug, title, theme, audience, days from today, intro
EVENINGS = [
    (
        "etre-parent-aujourd-hui",
        "Être parent aujourd'hui",
        "Parentalité",
        ThematicEveningPage.Audience.PARENTS,
        15,
        "Un temps d'échange entre parents, animé par une psychologue et les travailleurs sociaux du CCAS.",
    ),
    (
        "cyberharcelement",
        "Le cyberharcèlement : comprendre et protéger",
        "Cyberharcèlement",
        ThematicEveningPage.Audience.PROFESSIONALS,
        29,
        "Reconnaître les signes, réagir, savoir qui appeler : le 3018 et les ressources pour les familles.",
    ),
    (
        "le-sommeil-des-enfants",
        "Le sommeil des enfants",
        "Sommeil",
        ThematicEveningPage.Audience.PARENTS,
        50,
        "Pourquoi le sommeil compte pour apprendre, et des idées simples pour les soirs difficiles.",
    ),
    (
        "les-ecrans-en-famille",
        "Les écrans en famille",
        "Écrans",
        ThematicEveningPage.Audience.PARENTS_CHILDREN,
        -20,
        "Comment fixer des règles autour des écrans, à tout âge.",
    ),
]


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def ensure_workers():
    workers = {}
    for key, name, job, phone in WORKERS:
        worker = SocialWorker.objects.filter(public_name=name).first()
        if worker is None:
            worker = SocialWorker.objects.create(
                public_name=name, job=job, public_phone=phone, email=f"{key}@ccas-villebelle.example.fr"
            )
            worker.save_revision().publish()
        workers[key] = worker
    return workers


def ensure_centres():
    centres = {}
    for key, name, address, phone in CENTRES:
        centres[key], _ = SocialCentre.objects.get_or_create(name=name, defaults={"address": address, "phone": phone})
        for language, translated in CENTRE_NAMES[key].items():
            SocialCentreName.objects.get_or_create(
                centre=centres[key], language=language, defaults={"name": translated}
            )
    return centres


def ensure_index(model, home, slug, title, intro, show_in_menus=True):
    page = model.objects.filter(locale=home.locale, slug=slug).first()
    if page is None:
        page = _publish(home, model(title=title, slug=slug, intro=intro, show_in_menus=show_in_menus))
    return page


def ensure_schools(index, workers, centres):
    schools = {}
    for slug, name, kind, network, address, area, centre, worker, (weekday, (start, end), recurrence), place in SCHOOLS:
        school = SchoolPage.objects.filter(locale=index.locale, slug=slug).first()
        if school is None:
            school = SchoolPage(
                title=name,
                slug=slug,
                kind=kind,
                priority_network=network,
                address=address,
                postcode="99100",
                city="Villebelle",
                neighbourhood=area,
                uai=f"0991{len(schools) + 101:03d}{'ABCDEFGHJKLM'[len(schools)]}",
                social_centre=centres.get(centre),
                referent=workers[worker],
                families_info=FAMILIES_INFO,
                intro=f"{name}, {area}.",
            )
            school.permanences = [
                Permanence(weekday=weekday, start_time=start, end_time=end, recurrence=recurrence, place=place)
            ]
            _publish(index, school)
        schools[slug] = school
    return schools


def ensure_absences(workers):
    if WorkerAbsence.objects.exists():
        return
    start = today()
    WorkerAbsence.objects.create(
        worker=workers["leroy"],
        first_day=start + timedelta(days=14),
        last_day=start + timedelta(days=18),
        replacement=workers["martin"],
        note="Formation.",
    )
    WorkerAbsence.objects.create(
        worker=workers["yilmaz"],
        first_day=start + timedelta(days=7),
        last_day=start + timedelta(days=9),
    )


def ensure_actions(index, schools):
    for slug, title, intro, when, place, partners, school_slugs in ACTIONS:
        if not CollectiveActionPage.objects.filter(locale=index.locale, slug=slug).exists():
            action = CollectiveActionPage(
                title=title,
                slug=slug,
                intro=intro,
                when=when,
                place=place,
                partners=partners,
                body=[
                    {
                        "type": "paragraph",
                        "value": f"<p>{intro} Gratuit, sur inscription auprès du travailleur social de l'école.</p>",
                    }
                ],
            )
            action.schools = [schools[s] for s in school_slugs]
            _publish(index, action)


def ensure_evenings(index):
    for slug, title, theme, audience, days, intro in EVENINGS:
        if not ThematicEveningPage.objects.filter(locale=index.locale, slug=slug).exists():
            _publish(
                index,
                ThematicEveningPage(
                    title=title,
                    slug=slug,
                    theme=theme,
                    audience=audience,
                    intro=intro,
                    date=today() + timedelta(days=days),
                    start_time=time(18, 0),
                    end_time=time(20, 0),
                    place="Salle des fêtes de l'hôtel de ville",
                    address="12 place de la République, 99100 Villebelle",
                    capacity=25,
                    body=[
                        {
                            "type": "paragraph",
                            "value": "<p>Entrée libre et gratuite. Garde d'enfants possible sur place, sur inscription.</p>",
                        }
                    ],
                ),
            )


def load(home, locales, log=print, warn=print):
    workers = ensure_workers()
    centres = ensure_centres()
    seed_school_holidays([today().year, today().year + 1])
    ensure_absences(workers)
    school_index = ensure_index(
        SchoolIndexPage,
        home,
        "ecoles",
        "Trouver l'école de mon enfant",
        "Tapez le nom de l'école, du quartier ou de la rue : vous verrez le travailleur social référent et ses prochaines permanences.",
    )
    schools = ensure_schools(school_index, workers, centres)
    action_index = ensure_index(
        CollectiveActionIndexPage,
        home,
        "actions-collectives",
        "Actions collectives",
        "Des activités gratuites pour les familles, avec les centres sociaux et les partenaires du CCAS.",
    )
    ensure_actions(action_index, schools)
    evening_index = ensure_index(
        ThematicEveningIndexPage,
        home,
        "soirees-thematiques",
        "Soirées thématiques",
        "Des soirées d'échange pour les parents, gratuites, près de chez vous.",
    )
    ensure_evenings(evening_index)
    pages = [school_index, *schools.values(), action_index, evening_index]
    pages += list(CollectiveActionPage.objects.child_of(action_index))
    pages += list(ThematicEveningPage.objects.child_of(evening_index))
    return pages
