"""Language-independent public URLs of the directory: open data API and calendar files."""

from django.urls import path

from services import api, views

urlpatterns = [
    path("api/v1/schools/", api.school_list, name="api_schools"),
    path("api/v1/schools/<int:pk>/", api.school_detail, name="api_school"),
    path("agenda/soirees.ics", views.evenings_feed, name="evenings_feed"),
    path("agenda/soiree-<int:pk>.ics", views.evening_ics, name="evening_ics"),
    # The short link printed on a school's poster: /e/<UAI>/.
    path("e/<str:uai>/", views.school_short_link, name="school_short_link"),
]
