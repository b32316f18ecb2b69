from __future__ import annotations

from django.urls import path

from motcua.docstore import views

app_name = "docstore"

urlpatterns = [
    path("", views.search, name="search"),
    path("ho-so/<str:code>/", views.panel, name="panel"),
    path("ho-so/<str:code>/dung-lai/", views.reuse, name="reuse"),
    path("tai-lieu/<int:document_id>/tai-ve/", views.download, name="download"),
]
