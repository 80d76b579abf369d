"""French source content of the demo site's home and information pages."""

import uuid
from datetime import date
from decimal import Decimal


def h(text, level="h2"):
    return {"type": "heading", "value": {"text": text, "level": level}}


def p(html):
    return {"type": "paragraph", "value": html}


def faq(title, items):
    # ListBlock items in the current format (type, value, id): wagtail-localize only offers
    # these for translation.
    return {
        "type": "accordion",
        "value": {
            "title": title,
            "items": [
                {"type": "item", "value": {"question": q, "answer": a}, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, q))}
                for q, a in items
            ],
        },
    }


HOME = {
    "title": "Service social scolaire",
    "slug": "accueil",
    "intro": (
        "Dans chaque école publique maternelle et élémentaire de la ville, une travailleuse ou un "
        "travailleur social du CCAS vous reçoit, vous écoute et vous accompagne, gratuitement et en "
        "toute confidentialité."
    ),
    "body": [
        h("Trouver le référent de l'école de votre enfant"),
        p(
            "<p>Chaque école a un <b>travailleur social référent</b> qui tient une permanence "
            "chaque semaine dans l'école. Vous pouvez le rencontrer sans frais, pour toute question "
            "qui touche la scolarité, la santé, la vie de famille ou vos droits.</p>"
        ),
        h("Comment prendre rendez-vous ?"),
        p(
            "<ul><li>pendant la permanence, à l'école ;</li><li>au CCAS ;</li>"
            "<li>par téléphone ;</li><li>à domicile, si vous ne pouvez pas vous déplacer.</li></ul>"
        ),
        p(
            "<p>Vous pouvez faire votre demande en français, en anglais, en arabe, en portugais ou "
            "en turc. Si vous avez besoin d'un interprète, dites-le nous : nous l'organisons.</p>"
        ),
    ],
}

INFORMATION_PAGES = [
    {
        "slug": "missions",
        "title": "Les missions du service",
        "show_in_menus": True,
        "intro": "Le service social scolaire du CCAS accompagne les enfants des écoles publiques et leur famille.",
        "body": [
            h("Pour qui ?"),
            p(
                "<p>Pour les familles dont un enfant est scolarisé dans une école maternelle ou "
                "élémentaire publique de la ville, et pour les équipes de ces écoles.</p>"
            ),
            h("Pour quoi ?"),
            p(
                "<ul><li>Écouter et conseiller les parents sur la scolarité, la santé, l'éducation.</li>"
                "<li>Aider dans les démarches : droits, aides financières, cantine, sorties scolaires.</li>"
                "<li>Orienter vers les bons partenaires : centres sociaux, PMI, centre médico-psychologique.</li>"
                "<li>Animer des actions collectives et des soirées thématiques pour les parents.</li></ul>"
            ),
            h("Un service gratuit et confidentiel"),
            p(
                "<p>Les rendez-vous sont gratuits. Les travailleurs sociaux sont tenus au secret "
                "professionnel : ce que vous leur confiez reste entre vous, sauf danger pour un enfant.</p>"
            ),
            faq(
                "Questions fréquentes",
                [
                    (
                        "Dois-je prévenir l'école avant de demander un rendez-vous ?",
                        "<p>Non. Vous pouvez contacter directement le travailleur social de l'école.</p>",
                    ),
                    (
                        "Le rendez-vous est-il payant ?",
                        "<p>Non, tous les rendez-vous du service social scolaire sont gratuits.</p>",
                    ),
                    (
                        "Puis-je venir avec un proche ou un interprète ?",
                        "<p>Oui. Vous pouvez aussi demander un interprète au moment de prendre rendez-vous.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "secret-professionnel",
        "title": "Le secret professionnel",
        "show_in_menus": True,
        "intro": "Ce que vous confiez au travailleur social est protégé par la loi.",
        "body": [
            h("Ce que dit la loi"),
            p(
                "<p>Les assistantes et assistants de service social sont tenus au secret "
                "professionnel (article L. 411-3 du code de l'action sociale et des familles). "
                "Le révéler est puni par l'article 226-13 du code pénal.</p>"
            ),
            h("Concrètement"),
            p(
                "<ul><li>Seul votre travailleur social référent et son encadrement lisent votre demande.</li>"
                "<li>Les e-mails envoyés au service ne contiennent ni votre nom ni le motif de votre demande.</li>"
                "<li>L'école n'est informée qu'avec votre accord.</li></ul>"
            ),
            h("La seule limite : la protection de l'enfant"),
            p(
                "<p>Si un enfant est en danger, le travailleur social doit transmettre une information "
                "préoccupante au département. Il vous en informe, sauf si cela met l'enfant en danger.</p>"
            ),
        ],
    },
    {
        "slug": "protection-de-l-enfance",
        "title": "Protection de l'enfance et le 119",
        "show_in_menus": True,
        "intro": "Un enfant en danger ou en risque de l'être ? Appelez le 119, gratuit, 24 heures sur 24.",
        "body": [
            h("Appelez le 119"),
            p(
                "<p>Le 119, Allô enfance en danger, répond jour et nuit, tous les jours. L'appel est "
                "gratuit et n'apparaît pas sur les factures de téléphone.</p>"
            ),
            h("En cas d'urgence immédiate"),
            p("<p>Appelez le 17 (police secours) ou le 112 (numéro d'urgence européen).</p>"),
            h("Ne passez pas par un formulaire"),
            p(
                "<p>Les formulaires de ce site ne sont pas lus en continu. Ils ne doivent jamais servir "
                "à signaler un danger.</p>"
            ),
        ],
    },
    {
        "slug": "mentions-legales",
        "title": "Mentions légales",
        "show_in_menus": False,
        "intro": "Éditeur, hébergement et responsabilité du site.",
        "body": [
            h("Éditeur"),
            p(
                "<p>Centre communal d'action sociale (CCAS), établissement public administratif. "
                "Directeur de la publication : le président du CCAS.</p>"
            ),
            h("Hébergement"),
            p("<p>Le site est hébergé en France, sur les serveurs de la ville.</p>"),
            h("Cookies"),
            p(
                "<p>Ce site n'utilise qu'un cookie technique de session pour les formulaires. "
                "Aucun cookie de mesure d'audience ni de publicité.</p>"
            ),
        ],
    },
    {
        "slug": "donnees-personnelles",
        "title": "Données personnelles",
        "show_in_menus": False,
        "intro": "Comment le CCAS traite les informations que vous lui confiez.",
        "body": [
            h("Pourquoi nous collectons vos données"),
            p(
                "<p>Pour traiter votre demande de rendez-vous et vous recontacter. La base légale est "
                "la mission d'intérêt public du CCAS.</p>"
            ),
            h("Qui les lit"),
            p(
                "<p>Uniquement le travailleur social chargé de votre demande, la responsable du service "
                "et le secrétariat du service social scolaire, tous tenus au secret professionnel.</p>"
            ),
            h("Combien de temps"),
            p(
                "<p>Deux ans après le dernier contact. Ensuite, vos données sont anonymisées : seules "
                "des statistiques sans nom sont conservées.</p>"
            ),
            h("Vos droits"),
            p(
                "<p>Vous pouvez accéder à vos données, les faire corriger ou effacer, en écrivant au "
                "délégué à la protection des données du CCAS. Vous pouvez aussi saisir la CNIL.</p>"
            ),
        ],
    },
]

CCAS_SETTINGS = {
    "name": "CCAS de Villebelle",
    "service_name": "Service social scolaire",
    "address": "Hôtel de ville annexe\n12 place de la République\n99100 Villebelle",
    "phone": "01 23 45 67 89",
    "email": "service-social-scolaire@ccas-villebelle.example.fr",
    "opening_hours": "<ul><li>Du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h</li></ul>",
}
# The opening hours in the other languages; the address stays as written in French (a postal
# address), shown marked lang="fr".
CCAS_TRANSLATIONS = {
    "en": "<ul><li>Monday to Friday, 8:30 a.m. – 12 p.m. and 1:30 p.m. – 5 p.m.</li></ul>",
    "ar": "<ul><li>من الاثنين إلى الجمعة، 8:30 – 12:00 و13:30 – 17:00</li></ul>",
    "pt": "<ul><li>De segunda a sexta-feira, 8h30 – 12h e 13h30 – 17h</li></ul>",
    "tr": "<ul><li>Pazartesiden cumaya, 8.30 – 12.00 ve 13.30 – 17.00</li></ul>",
}


# The accessibility statement (home.models.AccessibilityStatementPage), in the RGAA model's structure.
ACCESSIBILITY_STATEMENT = {
    "slug": "accessibilite",
    "title": "Déclaration d'accessibilité",
    "intro": "Le CCAS s'engage à rendre ce site accessible conformément à l'article 47 de la loi du 11 février 2005.",
    "status": "partiel",
    "rgaa_version": "4.1",
    "compliance_rate": Decimal("84.62"),
    "audit_date": date(2026, 11, 16),
    "statement_date": date(2026, 11, 20),
    "audit_by": "Auto-évaluation par le CCAS",
    "audit_tools": "axe-core (règles RGAA) dans Chromium ; NVDA avec Firefox ; VoiceOver avec Safari sur iPhone ; navigation au clavier seul ; écran de 360 pixels et zoom à 200 %.",
    "audited_pages": "Accueil, liste des écoles, page d'une école, prise de rendez-vous (toutes les étapes), annulation d'un rendez-vous, soirées thématiques, recherche, plan du site, déclaration d'accessibilité.",
    "non_compliant": (
        "<ul><li>Certains documents PDF joints aux soirées thématiques ne sont pas balisés (critère 13.3).</li>"
        "<li>Le choix d'un créneau demande de nombreuses tabulations quand il y a beaucoup de créneaux (critère 12.7).</li></ul>"
    ),
    "derogations": "",
    "exempt_content": "<p>Les documents bureautiques publiés avant le 23 septembre 2018.</p>",
    "feedback": (
        "<p>Si vous ne parvenez pas à accéder à un contenu ou à un service, contactez le CCAS "
        "par téléphone ou par e-mail : nous vous répondrons et vous aiderons par un autre moyen.</p>"
    ),
}
