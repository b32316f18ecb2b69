"""Meetings and directives, under /chi-dao/chi-dao-dieu-hanh/ (Vietnamese paths)."""

from django.urls import path

from motcua.directives import views

app_name = "directives"

urlpatterns = [
    path("", views.meetings_page, name="meetings"),
    path("cuoc-hop/moi/", views.meeting_create_page, name="meeting_create"),
    path("cuoc-hop/<int:pk>/", views.meeting_page, name="meeting"),
    path("cuoc-hop/<int:pk>/ket-luan/moi/", views.directive_create_page, name="directive_create"),
    path("ket-luan/", views.directives_page, name="directives"),
    path("ket-luan/<int:pk>/", views.directive_page, name="directive"),
    path("ket-luan/<int:pk>/cap-nhat/", views.directive_update_view, name="directive_update"),
    path("ket-luan/<int:pk>/huy/", views.directive_cancel_view, name="directive_cancel"),
    path(
        "ket-luan/<int:pk>/minh-chung/<int:update_pk>/",
        views.evidence_download,
        name="evidence",
    ),
    path("qua-han/", views.overdue_page, name="overdue"),
    path("dung-han/", views.on_time_page, name="on_time"),
    path("xuat-xlsx/", views.export_view, name="export"),
]
