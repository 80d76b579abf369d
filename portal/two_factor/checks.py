from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def two_factor_required_outside_development(app_configs, **kwargs):
    """Only development settings (DEBUG on) may let staff in without a one-time code."""
    if settings.DEBUG or getattr(settings, "STAFF_TWO_FACTOR_REQUIRED", True):
        return []
    return [
        checks.Error(
            "STAFF_TWO_FACTOR_REQUIRED is off while DEBUG is off: staff could open families' files "
            "with a password alone.",
            hint="Only portal/settings/dev.py may turn it off; remove the override.",
            id="portal.E001",
        )
    ]
