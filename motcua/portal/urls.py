from django.urls import path

from motcua.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.submit, name="submit"),
    path("thu-tuc/<str:code>/mau/<int:template_id>/", views.template_file, name="template_file"),
    path("da-nop/<str:key>/", views.submitted, name="submitted"),
    path("tra-cuu/", views.track, name="track"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("ho-so/<str:code>/danh-gia/", views.track_rate, name="track_rate"),
    path("ho-so/<str:code>/ket-qua/<int:file_id>/", views.result, name="result"),
    path("danh-gia/<str:token>/", views.rate, name="rate"),
]
