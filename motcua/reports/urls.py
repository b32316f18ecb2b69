"""The dashboard's pages and JSON API, under /bao-cao/ (Vietnamese paths for a Vietnamese
audience; the API's names stay English like the figure names it returns)."""

from django.urls import path

from motcua.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("ho-so/", views.drill_page, name="drill"),
    path("cuoi-ngay/", views.end_of_day_page, name="end_of_day"),
    path("api/figures", views.api_figures, name="api_figures"),
    path("api/drill", views.api_drill, name="api_drill"),
    path("api/end-of-day", views.api_end_of_day, name="api_end_of_day"),
]
