"""Closed vocabularies of the national portal synchronisation (integrations-vn.md §1.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Send(models.TextChoices):
    """What one dossier event makes the sync send to the national portal (mapping.EVENT_SENDS)."""

    # DongBoHoSoMC (the dossier, as of the event) then CapNhatTienDoHoSoMC (the step).
    DOSSIER_AND_PROGRESS = "dossier_and_progress", _("Dossier and progress")
    # DongBoHoSoMC alone: a fact about the dossier that is no processing step (a payment).
    DOSSIER = "dossier", _("Dossier only")
    # Nothing: satisfaction ratings go by another national service (Decision 31 Art. 30(3)(d)).
    NOTHING = "nothing", _("Nothing")


class Difference(models.TextChoices):
    """A reconciliation finding, by dossier code."""

    # The dossier should be on the portal and is not (never acknowledged, or not found there).
    MISSING = "missing", _("Missing on the national portal")
    # It is there with another status than motcua's, or events are still unacknowledged.
    STALE = "stale", _("Stale on the national portal")
    # Sent under a code motcua no longer syncs (the dossier left the synchronised units).
    EXTRA = "extra", _("Extra on the national portal")


class Outcome(models.TextChoices):
    """How one call to the portal ended (the record's last attempt)."""

    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    # Refused with an error code and message: the payload or the data must be fixed.
    REFUSED = "refused", _("Refused by the portal")
    # No answer we can trust (time-out, 5xx, broken reply): the outcome is unknown.
    UNKNOWN = "unknown", _("Outcome unknown")
