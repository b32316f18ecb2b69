"""The admin pages of the steering models open with the demo's data, and edits there obey
the models' rules."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.accounts.services import user_create_or_update
from motcua.steering.models import IndicatorValue, WorkingGroup, WorkingGroupMember
from motcua.steering.services import indicator_snapshots_take

from .conftest import SEED_DAY


@pytest.fixture
def admin_client_vi(steering_world):
    user_create_or_update(username="root", full_name="Quản trị", password="x", is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(User.objects.get(username="root"))
    return client


@pytest.mark.django_db
def test_every_steering_admin_page_opens(admin_client_vi):
    indicator_snapshots_take(on=SEED_DAY)
    for model in apps.get_app_config("steering").get_models():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client_vi.get(changelist).status_code == 200, changelist
        obj = model.objects.first()
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert admin_client_vi.get(change).status_code == 200, change


@pytest.mark.django_db
def test_values_cannot_be_edited_in_the_admin(admin_client_vi):
    value = IndicatorValue.objects.first()
    url = reverse("admin:steering_indicatorvalue_change", args=[value.pk])
    response = admin_client_vi.post(url, {"numerator": "1"})
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.numerator != 1


@pytest.mark.django_db
def test_a_member_added_in_the_admin_has_its_phone_checked(admin_client_vi):
    group = WorkingGroup.objects.order_by("id").first()
    url = reverse("admin:steering_workinggroupmember_add")
    data = {"group": group.pk, "order": 20, "name": "Hà Thị Én", "role": "member", "phone": "12"}
    response = admin_client_vi.post(url, data)
    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors
    data["phone"] = "+84 987 654 321"
    assert admin_client_vi.post(url, data).status_code == 302
    assert WorkingGroupMember.objects.get(name="Hà Thị Én").phone == "0987 654 321"
