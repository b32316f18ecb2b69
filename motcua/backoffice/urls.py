from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.counter, name="counter"),
    path("tiep-nhan/<str:procedure_code>/", views.receive, name="receive"),
    path("truc-tuyen/", views.online_list, name="online"),
    path("hang-doi/", views.queue, name="queue"),
    path("tim-kiem/", views.search, name="search"),
    path("so-theo-doi/", views.tracking_log, name="tracking_log"),
    path("ho-so/<str:code>/", views.dossier_page, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_act, name="act"),
    path("ho-so/<str:code>/dinh-kem/", views.dossier_attach, name="attach"),
    path("ho-so/<str:code>/tep/<int:file_id>/", views.dossier_file, name="file"),
    path("ho-so/<str:code>/in/bien-lai/<int:event_id>/", views.fee_receipt, name="fee_receipt"),
    path("ho-so/<str:code>/in/to-khai/", views.declaration_print, name="declaration_print"),
    path("ho-so/<str:code>/in/<str:form>/", views.dossier_print, name="print"),
]
