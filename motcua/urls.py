from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "motcua"
admin.site.site_title = "motcua"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Staff sign in here (the admin keeps its own page); signing out is a POST (Django 5).
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("bao-cao/", include("motcua.reports.urls")),
    path("mot-cua/", include("motcua.backoffice.urls")),
    path("dich-vu-cong/", include("motcua.portal.urls")),
    path("chi-dao/", include("motcua.steering.urls")),
    path("chi-dao/chi-dao-dieu-hanh/", include("motcua.directives.urls")),
    # The dashboard asks for a sign-in first when needed.
    path("", RedirectView.as_view(pattern_name="reports:dashboard", permanent=False)),
]
