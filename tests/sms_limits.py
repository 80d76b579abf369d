"""What every text message to a family must respect, shared by the text-message and referral
tests: words that name social work (never in a text), words each language uses, and the most segments
per language."""

SOCIAL_WORK_WORDS = [
    "assistante sociale",
    "assistant social",
    "travailleur social",
    "travailleuse sociale",
    "social worker",
    "assistente social",
    "trabalhador social",
    "sosyal hizmet",
    "sosyal çalışmacı",
    "أخصائي اجتماعي",
    "أخصائية اجتماعية",
    "مساعدة اجتماعية",
]
# Words each language's texts use, so a text left in French (a missing translation) fails.
MARKERS = {
    "fr": ["RDV", "soirée", "inscription"],
    "en": ["appointment", "evening", "registration"],
    "pt": ["atendimento", "sessao", "inscricao"],
    "ar": [],  # Arabic letters, checked below
    "tr": ["randevu", "hatırlatma", "taleb", "akşam", "kayd", "yeriniz"],
}
MAX_SEGMENTS = {"fr": 2, "en": 2, "pt": 2, "ar": 3, "tr": 3}
