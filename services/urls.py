"""Language-independent public URLs of the directory: open data API and calendar files."""

from django.urls import path

urlpatterns: list = []
