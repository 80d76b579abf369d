from django.conf import settings
from django.utils.translation import get_language

from core.languages import text_direction


def portal(request):
    """Values every public template needs and that never come from the database."""
    return {
        "emergency_numbers": settings.EMERGENCY_NUMBERS,
        "current_language": get_language(),
        "text_direction": text_direction(),
    }
