"""The dashboard's pages and JSON API, under /bao-cao/ (Vietnamese paths for a Vietnamese
audience; the API's names stay English like the figure names it returns)."""

from django.urls import path

from motcua.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("ho-so/", views.drill_page, name="drill"),
    path("ho-so.xlsx", views.drill_xlsx, name="drill_xlsx"),
    path("ho-so.csv", views.drill_csv, name="drill_csv"),
    path("bieu-II.06a.pdf", views.form_06a_download, {"kind": "pdf"}, name="form_06a_pdf"),
    path("bieu-II.06a.xlsx", views.form_06a_download, {"kind": "xlsx"}, name="form_06a_xlsx"),
    path("tom-tat/", views.briefing_page, name="briefing"),
    path("tom-tat.pdf", views.briefing_pdf, name="briefing_pdf"),
    path("cuoi-ngay/", views.end_of_day_page, name="end_of_day"),
    path("api/figures", views.api_figures, name="api_figures"),
    path("api/drill", views.api_drill, name="api_drill"),
    path("api/end-of-day", views.api_end_of_day, name="api_end_of_day"),
]
