"""Work in progress: implemented by the intake issue."""

from django.http import Http404


def _not_yet(*args, **kwargs):
    raise Http404


cancel = _not_yet
appointment_ics = _not_yet
