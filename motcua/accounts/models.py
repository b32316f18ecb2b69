from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import Role
from motcua.units.fields import optional_agency


class User(AbstractUser):
    """A staff member. Vietnamese names are one string (Nguyễn Thị Minh Khai), not first/last."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    # The interface language this person chose (/i18n/setlang/); empty: the browser's choice,
    # else Vietnamese (motcua.lib.middleware.chosen_language).
    language = models.CharField(
        _("interface language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()


class RoleAssignment(models.Model):
    """A role granted to a user in one administrative unit and every unit below it.

    ``agency`` narrows the grant to one agency of that unit (an officer of the Justice
    Division); empty means any agency of the unit.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    agency = optional_agency(_("agency"), related_name="role_assignments")

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        # Two constraints because SQLite ignores nulls_distinct: one grant per unit-wide role,
        # one per agency-narrowed role.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit", "agency"],
                condition=models.Q(agency__isnull=False),
                name="role_assignment_unique_agency",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(agency__isnull=True),
                name="role_assignment_unique_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class RateCounter(models.Model):
    """One rate-limit counter: ``count`` uses of ``scope`` by ``key`` (an address, a phone, a
    user name, a dossier code and address) until ``expires_at`` (``motcua.accounts.ratelimit``).

    Incremented by conditional single UPDATEs (never "count, then insert"), so parallel
    requests cannot all pass; ``not_before`` is the progressive delay of the sign-in throttle.
    Expired rows mean nothing and are deleted by the worker's cleanup job.
    """

    scope = models.CharField(_("scope"), max_length=40)
    key = models.CharField(_("key"), max_length=200)
    count = models.PositiveIntegerField(_("count"), default=0)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="accounts_ratecounter_once")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.count}"
