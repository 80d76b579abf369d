"""The school finder of the school index page: a GET form, a filtered list, the next permanences.

Queries are planned: a fixed number whatever the number of schools (the schools with their
referent and social centre, their permanences, the closure periods once for the whole list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.pages import public
from services.availability import load_absences, load_cancellations, next_occurrences
from services.models import SchoolPage
from services.schedule import PARIS, Occurrence, closed_days
from services.text import normalize

# Far enough to get past the summer holidays for a permanence held on even or odd weeks.
HORIZON_DAYS = 120


class SchoolFinderForm(forms.Form):
    q = forms.CharField(
        label=_("Nom de l'école, quartier, adresse ou centre social"),
        max_length=100,
        required=False,
        widget=forms.SearchInput,
    )
    kind = forms.ChoiceField(
        label=_("Type d'école"),
        choices=[("", _("Toutes les écoles")), *SchoolPage.Kind.choices],
        required=False,
    )


@dataclass(frozen=True)
class SchoolResult:
    school: SchoolPage
    next_permanence: Occurrence | None

    @property
    def referent(self):
        return self.school.referent


def search_schools(queryset, text: str = "", kind: str = ""):
    """Schools whose accent-free search text contains every word of `text`, of the given kind."""
    for word in normalize(text).split():
        queryset = queryset.filter(search_text__contains=word)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def find_schools(index_page, params) -> dict:
    """The finder's context: the bound form, the results with their next permanence, the count.

    Invalid input never fails: the form carries the message, and only the valid filters apply."""
    form = SchoolFinderForm(params if ("q" in params or "kind" in params) else None)
    filters = {}
    if form.is_bound:
        form.is_valid()
        filters = {name: value for name, value in form.cleaned_data.items() if value}

    schools = search_schools(
        public(SchoolPage.objects.child_of(index_page).live()),
        filters.get("q", ""),
        filters.get("kind", ""),
    )
    schools = schools.defer_streamfields().select_related("referent", "social_centre").prefetch_related("permanences")
    schools = sorted(schools, key=lambda school: (normalize(school.title), school.title))

    now = timezone.now()
    start = now.astimezone(PARIS).date()  # as next_occurrences counts its horizon
    end = start + timedelta(days=HORIZON_DAYS)
    closed = closed_days(start, end)
    absences = load_absences({school.referent_id for school in schools}, start, end)
    cancellations = load_cancellations(schools, start, end)
    results = [
        SchoolResult(
            school=school,
            next_permanence=next(
                iter(
                    next_occurrences(
                        school,
                        count=1,
                        horizon_days=HORIZON_DAYS,
                        closed=closed,
                        now=now,
                        absences=absences,
                        cancellations=cancellations,
                    )
                ),
                None,
            ),
        )
        for school in schools
    ]
    return {
        "form": form,
        "results": results,
        "count": len(results),
        "searched": bool(filters),
    }
