from django.urls import path

from portal.staff_accounts import views

app_name = "staff_accounts"
urlpatterns = [
    path("", views.AccountListView.as_view(), name="index"),
    path("nouveau/", views.AccountCreateView.as_view(), name="create"),
    path("<int:pk>/<slug:action>/", views.AccountActionView.as_view(), name="action"),
]
