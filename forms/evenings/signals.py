from django.db import transaction


def promote_after_publish(sender, instance, **kwargs):
    """An editor raising an evening's capacity gives the freed seats to the waiting list."""
    from forms.evenings.registrations import _lock, promote_waiting, source_evening
    from services.models import ThematicEveningPage

    if not isinstance(instance, ThematicEveningPage):
        return
    evening = source_evening(instance)
    with transaction.atomic():
        promote_waiting(_lock(evening.pk))
