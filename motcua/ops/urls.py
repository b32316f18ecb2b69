"""The operators' endpoints at the site's root (motcua/urls.py includes these first)."""

from django.urls import path

from motcua.ops import views

app_name = "ops"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
