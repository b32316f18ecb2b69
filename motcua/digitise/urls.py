from __future__ import annotations

from django.urls import path

from motcua.digitise import views

app_name = "digitise"

urlpatterns = [
    path("<str:code>/", views.dossier_page, name="dossier"),
    path("<str:code>/tep/<int:file_id>/so-hoa/", views.file_request, name="request"),
    path("<str:code>/ban-so-hoa/<int:digitisation_id>/", views.output_file, name="output"),
    path(
        "<str:code>/ban-so-hoa/<int:digitisation_id>/xac-nhan/",
        views.confirm,
        name="confirm",
    ),
]
