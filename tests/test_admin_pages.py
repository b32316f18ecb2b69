"""Every admin page an administrator can open answers, in Vietnamese, with data loaded."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.accounts.services import user_create_or_update
from motcua.catalog.services import load_demo_catalog
from motcua.units.services import load_bac_kan


@pytest.mark.django_db
def test_every_changelist_and_add_page_opens():
    load_bac_kan()
    load_demo_catalog()
    user_create_or_update(username="root", full_name="Quản trị", password="x", is_superuser=True)
    client = Client()
    client.force_login(User.objects.get(username="root"))
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, url
        assert 'lang="vi"' in response.content.decode()
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add


@pytest.mark.django_db
def test_the_interface_is_vietnamese_by_default_and_english_on_request():
    client = Client()
    assert "Đăng nhập" in client.get("/admin/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    page = client.get("/admin/login/").content.decode()
    assert "Log in" in page
    assert 'lang="en"' in page
