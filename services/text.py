import re
import unicodedata


def normalize(text: str) -> str:
    """Lower-case, accents and punctuation removed: "École Jules-Ferry" -> "ecole jules ferry"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", stripped.casefold()).strip()
