from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from motcua.accounts.views import language_set
from motcua.api.api import api

admin.site.site_header = "motcua"
admin.site.site_title = "motcua"

# The site's own error pages (DEBUG off); motcua.lib.middleware uses the same with DEBUG on.
handler400 = "motcua.lib.errors.bad_request"
handler403 = "motcua.lib.errors.permission_denied"
handler404 = "motcua.lib.errors.page_not_found"
handler500 = "motcua.lib.errors.server_error"

urlpatterns = [
    # /healthz, /readyz, /metrics (motcua.ops; answered by its middleware before the others).
    path("", include("motcua.ops.urls")),
    # The layout's language switch: Django's set_language, plus the choice kept in the profile.
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    # Staff sign in here (the admin keeps its own page); signing out is a POST (Django 5).
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("bao-cao/", include("motcua.reports.urls")),
    path("mot-cua/so-hoa/", include("motcua.digitise.urls")),
    path("mot-cua/kho-giay-to/", include("motcua.docstore.urls")),
    path("mot-cua/chung-thuc/", include("motcua.certification.urls")),
    path("mot-cua/", include("motcua.backoffice.urls")),
    # The public page a certified copy's QR code opens (no sign-in).
    path("xac-minh/", include("motcua.certification.public_urls")),
    # Online payment: the gateways' callbacks and the citizen's return (no sign-in).
    path("thanh-toan/", include("motcua.onlinepay.urls")),
    path("thong-bao/", include("motcua.notify.urls")),
    # Citizens signed in with the national identity (before the portal's own addresses).
    path("dich-vu-cong/tai-khoan/", include("motcua.citizens.urls")),
    path("dich-vu-cong/", include("motcua.portal.urls")),
    path("chi-dao/", include("motcua.steering.urls")),
    path("chi-dao/chi-dao-dieu-hanh/", include("motcua.directives.urls")),
    # The integration API (docs/api.md), versioned in its address.
    path("api/v1/", api.urls),
    # The dashboard asks for a sign-in first when needed.
    path("", RedirectView.as_view(pattern_name="reports:dashboard", permanent=False)),
]
