from __future__ import annotations

from django.urls import path

from motcua.onlinepay import staff_views, views

app_name = "onlinepay"

urlpatterns = [
    path("bat-dau/", views.payment_start, name="start"),
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("nen-tang-quoc-gia/callback/", views.national_callback, name="national_callback"),
    path("ket-qua/<str:provider>/", views.gateway_return, name="return"),
    # The fee staff's pages (sign-in required). Under /thanh-toan/ because motcua/urls.py
    # mounts this module there; /mot-cua/ would need a line in motcua/urls.py.
    path("doi-soat/", staff_views.reconcile, name="reconcile"),
    path("bien-lai/<int:receipt_id>/huy/", staff_views.receipt_cancel, name="receipt_cancel"),
]
