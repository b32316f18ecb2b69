"""Which printed forms apply to a dossier (Decree 61/2018 forms 01–05, Circular 01/2018).

The one place that says it: the dossier page lists these forms and the print address refuses
the others, so a link is never offered for a form that would answer "does not exist".
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from motcua.dossiers.choices import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent


class PrintedForm(StrEnum):
    RECEIPT = "01"  # receipt and appointment
    SUPPLEMENT = "02"  # request to complete or supplement the dossier
    REFUSAL = "03"  # refusal to receive
    APOLOGY = "04"  # apology and new appointment, one per extension
    CONTROL_SHEET = "05"  # the dossier's control sheet


# The actions whose reason form 02 prints.
SUPPLEMENT_ACTIONS = (Action.REQUEST_COMPLETION, Action.REQUEST_SUPPLEMENT)
REFUSAL_ACTIONS = (Action.REFUSE,)
# The forms of the dossier itself, in the order the page lists them (form 04 is printed per
# extension, from the extension's line).
DOSSIER_FORMS = (
    PrintedForm.RECEIPT,
    PrintedForm.SUPPLEMENT,
    PrintedForm.REFUSAL,
    PrintedForm.CONTROL_SHEET,
)


def form_applies(
    dossier: Dossier, form: PrintedForm, events: Iterable[DossierEvent] | None = None
) -> bool:
    """Whether ``form`` can be printed for ``dossier`` now: 01 and 05 once it is received, 02
    once completion or a supplement was requested, 03 when it was refused, 04 when it has an
    extension. ``events``: the dossier's events if the caller holds them (saves a query)."""
    match form:
        case PrintedForm.RECEIPT | PrintedForm.CONTROL_SHEET:
            return dossier.received_at is not None
        case PrintedForm.SUPPLEMENT:
            if events is None:
                return dossier.events.filter(action__in=SUPPLEMENT_ACTIONS).exists()
            return any(event.action in SUPPLEMENT_ACTIONS for event in events)
        case PrintedForm.REFUSAL:
            return dossier.status == Status.REFUSED
        case PrintedForm.APOLOGY:
            return dossier.extensions.exists()
    return False  # pragma: no cover - the match is exhaustive


def printable_forms(dossier: Dossier, events: Iterable[DossierEvent]) -> list[PrintedForm]:
    """The dossier's own forms that apply (:data:`DOSSIER_FORMS` order), from its events."""
    events = list(events)
    return [form for form in DOSSIER_FORMS if form_applies(dossier, form, events)]


def last_reason(dossier: Dossier, actions: Iterable[str]) -> str | None:
    """The reason of the dossier's latest event among ``actions`` (what form 02 or 03
    prints), or None when there is none."""
    event = dossier.events.filter(action__in=list(actions)).order_by("-seq").first()
    return None if event is None else event.reason
