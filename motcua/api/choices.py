"""The API's enums: what a machine client may do (scopes) and in which roles it acts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import Role


class Scope(models.TextChoices):
    """What a token allows (integrations-vn.md §5: per-application scopes, as Open Zaak's
    ``zaken.lezen`` / ``zaken.aanmaken``). Which *units* it reaches is decided separately, by
    the client's units and roles (accounts.access), exactly as for a person."""

    DOSSIERS_READ = "dossiers:read", _("Read dossiers")
    DOSSIERS_ACT = "dossiers:act", _("Act on dossiers")
    DOSSIERS_SUBMIT = "dossiers:submit", _("Submit dossiers online")
    FIGURES_READ = "figures:read", _("Read figures and reports")
    CATALOG_READ = "catalog:read", _("Read units, agencies and procedures")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage webhook subscriptions")


# The roles a machine client may act in. Leaders decide and sign: a decision stays with a
# person, so a client never holds the leader's (nor the administrator's) role.
CLIENT_ROLES = (Role.CLERK, Role.OFFICER)

# What a staff member's own session may do through the API: read, and act with her own roles
# and units (the rules the pages apply). Submitting as an applicant and managing webhooks are
# machine clients' business.
STAFF_SCOPES = frozenset(
    {Scope.DOSSIERS_READ, Scope.DOSSIERS_ACT, Scope.FIGURES_READ, Scope.CATALOG_READ}
)


class WebhookState(models.TextChoices):
    """A webhook subscription's state (api.webhooks)."""

    ACTIVE = "active", _("Active")
    FAILING = "failing", _("Failing: retried slowly")
    DISABLED = "disabled", _("Disabled")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
