"""Writes for users and their roles."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from motcua.accounts.access import grants_forget
from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.units.models import AdministrativeUnit, Agency


@transaction.atomic
def user_create_or_update(
    *,
    username: str,
    full_name: str,
    password: str | None = None,
    email: str = "",
    phone: str = "",
    position: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create the user, or update an existing one of that user name (idempotent loaders).

    ``is_staff`` (the key to /admin/) is kept for administrators: see :func:`_admin_site_key`.
    """
    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name = full_name
    user.email = email
    user.phone = phone
    user.position = position
    user.is_superuser = is_superuser
    user.is_staff = is_staff or _admin_site_key(user)
    if password is not None:
        user.set_password(password)
    user.full_clean(exclude=["password"] if password is None else None)
    user.save()
    return user


def _admin_site_key(user: User) -> bool:
    """Whether ``user`` gets Django's ``is_staff``, which opens /admin/ (catalogue, units,
    accounts, raw tables): superusers and holders of the administrator role only. Clerks,
    officers and leaders work in the site's own pages; the admin is no door for them."""
    if user.is_superuser:
        return True
    return bool(user.pk) and user.assignments.filter(role=Role.ADMIN).exists()


def role_grant(
    *, user: User, role: Role, unit: AdministrativeUnit, agency: Agency | None = None
) -> RoleAssignment:
    """Grant ``role`` in ``unit`` (and below); granting twice changes nothing."""
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, unit=unit, agency=agency
    )
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    grants_forget(user)  # the access checks read them afresh
    return assignment


def user_language_set(*, user: User, language: str) -> None:
    """Keep the interface language ``user`` chose, so it follows her to another browser.
    An unknown code is refused (``ValueError``) and changes nothing."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unknown language {language!r}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
