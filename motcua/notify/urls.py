from django.urls import path

from motcua.notify import views

app_name = "notify"

urlpatterns = [
    path("bien-nhan/sms/<str:token>/", views.sms_receipt, name="sms_receipt"),
    path("bien-nhan/zalo/", views.zalo_receipt, name="zalo_receipt"),
]
