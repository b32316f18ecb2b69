"""The steering committee's pages, under /chi-dao/ (Vietnamese paths for a Vietnamese
audience)."""

from django.urls import path

from motcua.steering import views

app_name = "steering"

urlpatterns = [
    path("", views.index_page, name="index"),
    path("chi-tieu/", views.indicators_page, name="indicators"),
    path("chi-tieu/nhap/", views.value_enter_page, name="value_enter"),
    path("chi-tieu/tai-len/", views.value_import_page, name="value_import"),
    path("chi-tieu/mau-chi-tieu.xlsx", views.value_template, name="value_template"),
    path("to-cong-tac-de-an-06/", views.groups_page, name="groups"),
]
