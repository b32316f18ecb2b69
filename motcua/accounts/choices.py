from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in the system; each grant of a role is scoped to a unit (and below)."""

    CLERK = "clerk", _("One-stop clerk")
    OFFICER = "officer", _("Processing officer")
    LEADER = "leader", _("Unit leader")
    STEERING = "steering", _("Steering-committee viewer")
    ADMIN = "admin", _("Administrator")
