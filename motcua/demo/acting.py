"""One step of a demo dossier's life through the write path (``dossiers.services``), at a
moment the demo chooses: the ledger, the hash chain and the notifications follow as for a
clerk's click. Shared by the demo's generators that act after a dossier is received."""

from __future__ import annotations

from datetime import datetime

from motcua.accounts.models import User
from motcua.core.workflow import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Details, dossier_transition


def take(
    dossier: Dossier, action: Action, actor: User, at: datetime, details: Details | None = None
) -> None:
    """``action`` on ``dossier`` by ``actor`` at ``at``."""
    dossier_transition(
        dossier_id=dossier.pk, action=action, actor=actor, details=details or Details(), at=at
    )
