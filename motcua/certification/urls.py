"""The register's staff pages, under /mot-cua/chung-thuc/."""

from __future__ import annotations

from django.urls import path

from motcua.certification import views

app_name = "certification"

urlpatterns = [
    path("", views.register, name="register"),
    path("cap/", views.certify, name="certify"),
    path("<int:copy_id>/", views.copy_detail, name="copy"),
    path("<int:copy_id>/tai-ve/", views.copy_download, name="download"),
    path("<int:copy_id>/thu-hoi/", views.copy_revoke_view, name="revoke"),
]
