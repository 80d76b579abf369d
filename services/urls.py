"""Language-independent public URLs of the directory: open data API and calendar files."""

from django.urls import path

from services import views

urlpatterns = [
    path("agenda/soirees.ics", views.evenings_feed, name="evenings_feed"),
    path("agenda/soiree-<int:pk>.ics", views.evening_ics, name="evening_ics"),
]
