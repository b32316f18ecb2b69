from __future__ import annotations

from django.urls import path

from motcua.onlinepay import views

app_name = "onlinepay"

urlpatterns = [
    path("bat-dau/", views.payment_start, name="start"),
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("nen-tang-quoc-gia/callback/", views.national_callback, name="national_callback"),
    path("ket-qua/<str:provider>/", views.gateway_return, name="return"),
]
