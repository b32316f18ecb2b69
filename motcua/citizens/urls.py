from django.urls import path

from motcua.citizens import views

app_name = "citizens"
urlpatterns = [
    path("dang-nhap/", views.sign_in, name="sign_in"),
    path("dang-nhap/ket-qua/", views.callback, name="callback"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/giay-to/", views.my_papers, name="my_papers"),
    path("ho-so-cua-toi/giay-to/<int:document_id>/", views.my_paper_download, name="my_paper"),
]
