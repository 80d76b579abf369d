"""Public URLs of the intake. `urlpatterns` live under the language prefix (i18n_patterns);
`api_urlpatterns` and `file_urlpatterns` are language-independent."""

from django.urls import path

from forms import link_views
from forms.booking import api
from forms.booking import cancel_views as views_cancel
from forms.booking import views as views_booking
from forms.evenings import views as views_evening
from forms.notifications import views as views_notifications
from forms.referrals import views as views_referral

urlpatterns = [
    path("rendez-vous/", views_booking.start, name="booking_start"),
    path("rendez-vous/<str:step>/", views_booking.step, name="booking_step"),
    path("rendez-vous/confirmation/<str:reference>/", views_booking.done, name="booking_done"),
    path("annuler/<str:token>/", views_cancel.cancel, name="booking_cancel"),
    path("annuler/<str:token>/deplacer/", views_cancel.move, name="booking_move"),
    path("soirees/<int:evening_id>/inscription/", views_evening.register, name="evening_register"),
    path("soirees/inscription/<str:reference>/", views_evening.done, name="evening_done"),
    path("soirees/annuler/<str:token>/", views_evening.cancel, name="evening_cancel"),
    path("orienter-une-famille/", views_referral.referral_form, name="referral_form"),
    path("orienter-une-famille/envoyee/<str:reference>/", views_referral.done, name="referral_done"),
    path("orientation/<str:token>/", views_referral.family_page, name="referral_family"),
    path("orientation/<str:token>/creneau/", views_referral.family_slots, name="referral_slots"),
]

file_urlpatterns = [
    path("api/v1/schools/<int:school_id>/slots/", api.school_slots, name="api_school_slots"),
    path("rendez-vous/<str:token>.ics", views_cancel.appointment_ics, name="booking_ics"),
    # The short link of a text message, without a language prefix: it redirects to the family's.
    path("r/<str:token>", link_views.short_link, name="short_link"),
    path("sms/rapports/", views_notifications.delivery_report, name="sms_delivery_report"),
]
