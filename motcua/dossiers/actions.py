"""Compound actions on a dossier: several services in one transaction, so the back office's
pages and the command line share the rule instead of each composing it.

- Receiving at the counter with the scans of the components: a scan refused (empty, too
  large, not really a PDF, JPEG or PNG) receives nothing, and the refusal names the scan.
- A decision (approval or denial) with the electronic result attached: a result file refused
  undoes the decision (docs/backoffice.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.db import transaction

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.core import workflow
from motcua.dossiers.choices import Channel
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import (
    Applicant,
    Component,
    Created,
    Details,
    dossier_create,
    dossier_file_attach,
    dossier_transition,
)
from motcua.units.models import Agency


@dataclass(frozen=True)
class Scan:
    """The scan of one of the components handed in: ``component`` is its index in the
    components received, ``field`` where a refusal of this scan is reported."""

    component: int
    upload: IO[bytes]
    name: str
    field: str


def dossier_receive_with_scans(
    *,
    procedure: ProcedureVersion,
    receiving_agency: Agency,
    applicant: Applicant,
    components: Sequence[Component],
    scans: Sequence[Scan] = (),
    sets_count: int = 1,
    summary: str = "",
    actor: User,
) -> Created:
    """Receive a dossier at the counter (``dossier_create``, in person) with the scans of its
    components, in one transaction: a refused scan raises ``InvalidInput`` on its ``field``
    and nothing is received."""
    with transaction.atomic():
        created = dossier_create(
            procedure=procedure,
            receiving_agency=receiving_agency,
            channel=Channel.DIRECT,
            applicant=applicant,
            components=components,
            sets_count=sets_count,
            summary=summary,
            actor=actor,
        )
        stored = list(created.dossier.components.order_by("id"))
        for scan in scans:
            try:
                dossier_file_attach(
                    dossier_id=created.dossier.pk,
                    upload=scan.upload,
                    name=scan.name,
                    kind=DossierFile.Kind.COMPONENT,
                    component_id=stored[scan.component].pk,
                    actor=actor,
                )
            except InvalidInput as error:
                raise InvalidInput(error.message, field=scan.field) from None
    return created


def dossier_decide_with_result(
    *,
    dossier_id: int,
    action: workflow.Action,
    actor: User,
    expected_version: int | None,
    reason: str = "",
    details: Details | None = None,
    result: IO[bytes] | None = None,
    result_name: str | None = None,
) -> Dossier:
    """Take ``action`` (``dossier_transition``) and attach its electronic ``result`` file
    (named ``result_name``, "result" when it has none), in one transaction: a result file
    refused undoes the action."""
    with transaction.atomic():
        changed = dossier_transition(
            dossier_id=dossier_id,
            action=action,
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            details=details,
        )
        if result is not None:
            dossier_file_attach(
                dossier_id=dossier_id,
                upload=result,
                name=result_name or "result",
                kind=DossierFile.Kind.RESULT,
                actor=actor,
            )
    return changed
