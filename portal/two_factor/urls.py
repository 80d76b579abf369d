from django.urls import path

from portal.two_factor import views

urlpatterns = [
    path("two-factor/enrol/", views.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", views.verify, name="two_factor_verify"),
    path("two-factor/reset/<int:user_id>/", views.reset, name="two_factor_reset"),
]
