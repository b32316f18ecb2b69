"""The public check of a certified copy, under /xac-minh/ (no sign-in)."""

from __future__ import annotations

from django.urls import path

from motcua.certification import views

app_name = "verify"

urlpatterns = [
    path("<str:token>/", views.verify_copy, name="copy"),
]
