"""The status mapping between motcua's dossier states and the national portal's codes: ONE
versioned table (integrations-vn.md §1.2).

Where the numbers come from: HuanVu201/DichVuCong_KhoaLuan_PASETO,
``Common/KetNoi/Classes/FormatTrangThaiHoSoDVCQG.cs`` [C] for the table as written (receiving 1,
received 2, denied 3, processing 4, supplement 5, financial obligation 6, withdrawn 7, stopped 8,
processed 9, returned 10) and [M] for the meaning of each number; the Hà Giang admissions API
sends 10 on result return, which agrees. That code maps two vendor states to 0 ("chưa biết là
gì"): here nothing is ever 0, an unmapped state raises :class:`UnmappedStatus`.

The per-state numbers live once, in the lifecycle table of the pure core
(``core.workflow.EXTERNAL_STATUS``); this module versions them for the wire: a version id that
every synchronised record keeps (``NationalRecord.mapping_version``), so a change of table is a
new version and the records sent under the old one show up in reconciliation. Which events are
sent, and how, is the second half of the table (:data:`EVENT_SENDS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from motcua.core import workflow
from motcua.dossiers.choices import Action
from motcua.national.choices import Send


class UnmappedStatus(ValueError):
    """A state or event kind the active mapping does not know: never sent as 0."""


@dataclass(frozen=True)
class MappingTable:
    """One version of the mapping: motcua's state → national code, event kind → what is sent."""

    version: str
    status_codes: Mapping[str, int]
    event_sends: Mapping[str, Send]
    source: str

    def code_for(self, status: str) -> int:
        """The national code of ``status``; raises :class:`UnmappedStatus` (never 0)."""
        try:
            code = self.status_codes[str(status)]
        except KeyError:
            raise UnmappedStatus(
                f"status {status!r} has no national code in mapping {self.version}"
            ) from None
        if not 1 <= code <= 10:  # guards a bad edit of the table: 0 means "unknown" there
            raise UnmappedStatus(f"status {status!r} maps to {code} in mapping {self.version}")
        return code

    def send_for(self, action: str) -> Send:
        """What an event of kind ``action`` makes the sync send; raises for an unknown kind."""
        try:
            return self.event_sends[str(action)]
        except KeyError:
            raise UnmappedStatus(
                f"event kind {action!r} is not in mapping {self.version}"
            ) from None


_P, _D, _N = Send.DOSSIER_AND_PROGRESS, Send.DOSSIER, Send.NOTHING

# Every event kind of the dossier chain (dossiers.choices.Action). A step that changes the
# state, or is a processing step without a change (hand-over, form 05; apology and new
# appointment, form 04), is a progress row (CapNhatTienDoHoSoMC) after the dossier itself
# (DongBoHoSoMC, OpenCPS syncDossierAndDossierStatus [C]). A payment changes the dossier's
# DanhSachLePhi / DuocThanhToanTrucTuyen only. Ratings are feedback, Art. 30(3)(d): another
# service, not built here [S].
EVENT_SENDS_2024: dict[str, Send] = {
    Action.CREATE: _P,
    Action.RECEIVE: _P,
    Action.REQUEST_COMPLETION: _P,
    Action.RESUBMIT: _P,
    Action.REFUSE: _P,
    Action.TRANSFER: _P,
    Action.HAND_OVER: _P,
    Action.REQUEST_SUPPLEMENT: _P,
    Action.SUPPLEMENT: _P,
    Action.REQUEST_PAYMENT: _P,
    Action.CONFIRM_PAYMENT: _P,
    Action.APPROVE: _P,
    Action.DENY: _P,
    Action.RETURN_RESULT: _P,
    Action.WITHDRAW: _P,
    Action.STOP: _P,
    Action.APOLOGISE: _P,
    Action.PAY: _D,
    Action.RATE: _N,
    # History carried over from another system: the dossier as it stands is pushed again.
    Action.IMPORT: _D,
}

TABLES: dict[str, MappingTable] = {
    "dvcqg-2024.1": MappingTable(
        version="dvcqg-2024.1",
        status_codes=MappingProxyType(
            {str(status): int(code) for status, code in workflow.EXTERNAL_STATUS.items()}
        ),
        event_sends=MappingProxyType({str(k): v for k, v in EVENT_SENDS_2024.items()}),
        source="HuanVu201 FormatTrangThaiHoSoDVCQG.cs (2024) [C]; meanings [M]",
    ),
}
CURRENT_VERSION = "dvcqg-2024.1"


def mapping_table(version: str | None = None) -> MappingTable:
    """The table of ``version`` (settings MOTCUA_NATIONAL["MAPPING_VERSION"] by default)."""
    if version is None:
        from django.conf import settings

        version = str(settings.MOTCUA_NATIONAL.get("MAPPING_VERSION") or CURRENT_VERSION)
    try:
        return TABLES[version]
    except KeyError:
        raise UnmappedStatus(
            f"mapping version {version!r} is unknown; known: {', '.join(sorted(TABLES))}"
        ) from None
