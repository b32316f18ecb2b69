"""The site's own 403/404/500 pages, in the layout and in Vietnamese, with DEBUG off and on
(the demo runs with DEBUG): never Django's technical pages, which list every address of the
site or show a traceback (issue 10, item 6 and "with DEBUG on a missing page shows Django's
debug page listing every URL")."""

from __future__ import annotations

import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from motcua import urls as site_urls


def _missing(request: HttpRequest) -> HttpResponse:
    raise Http404("No Dossier matches the given query.")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


# This module is the URLconf of the tests: the site's addresses and handlers, and three views
# that fail on purpose.
urlpatterns = [
    path("thu-loi/404/", _missing),
    path("thu-loi/403/", _forbidden),
    path("thu-loi/500/", _broken),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

THIS = sys.modules[__name__]
DEBUG = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])

# What Django's technical pages say and the site's pages must not.
TECHNICAL = (
    "URLconf",
    "Using the URLconf",
    "Traceback",
    "Django tried these URL patterns",
    "RuntimeError",
    "a bug in a view",
    "DEBUG = True",
    "dich-vu-cong/ [name=",
)


def get(url: str, debug: bool, client: Client | None = None) -> tuple[int, str]:
    with override_settings(DEBUG=debug, ROOT_URLCONF=THIS):
        client = client or Client(raise_request_exception=False)
        # An English browser: the error page is Vietnamese all the same.
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    return response.status_code, response.content.decode()


def assert_friendly(html: str, title: str) -> None:
    assert '<html lang="vi">' in html
    assert 'class="site-header"' in html  # the site's layout
    assert f"<h1>{title}</h1>" in html
    assert "Về trang chủ" in html
    for word in TECHNICAL:
        assert word not in html


@DEBUG
@pytest.mark.django_db
def test_an_address_that_matches_nothing_gets_the_sites_404(debug):
    status, html = get("/khong-co-trang-nay/", debug)
    assert status == 404
    assert_friendly(html, "Không tìm thấy trang")


@DEBUG
@pytest.mark.django_db
def test_a_view_that_finds_nothing_gets_the_sites_404(debug):
    status, html = get("/thu-loi/404/", debug)
    assert status == 404
    assert_friendly(html, "Không tìm thấy trang")
    assert "No Dossier matches" not in html  # Django's English message is not shown


@DEBUG
@pytest.mark.django_db
def test_a_refused_permission_gets_the_sites_403(debug):
    status, html = get("/thu-loi/403/", debug)
    assert status == 403
    assert_friendly(html, "Ông/Bà không được mở trang này")


@DEBUG
@pytest.mark.django_db
def test_a_bug_gets_the_sites_500_and_the_traceback_goes_to_the_log(debug, caplog):
    status, html = get("/thu-loi/500/", debug)
    assert status == 500
    assert_friendly(html, "Hệ thống gặp sự cố")
    logged = [record for record in caplog.records if record.name == "django.request"]
    assert [record.levelname for record in logged] == ["ERROR"]
    assert "a bug in a view" in str(logged[0].exc_info[1])


@DEBUG
@pytest.mark.django_db
def test_a_signed_in_person_keeps_the_menu_on_an_error_page(debug, django_user_model):
    user = django_user_model.objects.create_user(username="loi", password="x", is_staff=True)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    status, html = get("/khong-co-trang-nay/", debug, client)
    assert status == 404
    assert 'class="site-nav"' in html
    assert "Đăng xuất" in html


@DEBUG
@pytest.mark.django_db
def test_a_missing_final_slash_is_still_added_before_any_404(debug):
    with override_settings(DEBUG=debug, ROOT_URLCONF=THIS):
        response = Client().get("/dang-nhap")
    assert response.status_code == 301
    assert response.headers["Location"] == "/dang-nhap/"


@DEBUG
@pytest.mark.django_db
def test_a_views_own_not_found_page_is_kept(debug, django_user_model):
    """A view answering 404 with its own explanation (a page that resolved) keeps it."""
    user = django_user_model.objects.create_user(username="chidao", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    status, html = get("/chi-dao/chi-tieu/?unit=99999", debug, client)
    assert status == 404
    assert 'id="problem"' in html  # the steering page's own explanation
    assert "Không tìm thấy trang" not in html


@DEBUG
@pytest.mark.django_db
def test_a_form_without_its_security_token_gets_the_sites_page(debug):
    with override_settings(DEBUG=debug, ROOT_URLCONF=THIS):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/dang-nhap/", {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert_friendly(html, "Biểu mẫu đã hết hạn")
    assert "CSRF" not in html
