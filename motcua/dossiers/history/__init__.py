"""Dossier history in and out as JSON Lines (docs/dossier-history-format.md).

This is how a city migrates from its old system, so what the file records is kept as a fact
(ARCHITECTURE invariant 5): the receipt moment, the due moment printed on the receipt, pauses,
resolution, return, payments and ratings are stored as given, never recomputed. Only what the
file leaves out and the system needs is derived once, at import (``effective_due_at``,
``timeliness``, ``supplement_requests``).

An import is all or nothing (invariant 7): every line is checked before anything is written and
every bad line is reported with its number and the field. A hostile file is refused the same
way, with its line and field named; reading stops after ``MAX_ERRORS`` problems.

The modules, in the order an import uses them:

- :mod:`.schema`: header, field names, limits, the errors and the report;
- :mod:`.decoding`: reading a line with a byte cap and decoding its JSON safely;
- :mod:`.fields` and :mod:`.parser`: one record checked and normalised, section by section;
- :mod:`.checking`: the whole file checked and its codes resolved, before any write;
- :mod:`.writer`: the import itself (compare with what is stored, bulk inserts, chains);
- :mod:`.exporter`: stored dossiers as records, and the export.
"""

from motcua.dossiers.history.checking import parse_lines
from motcua.dossiers.history.exporter import dossier_record, export_history
from motcua.dossiers.history.parser import parse_record
from motcua.dossiers.history.schema import (
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER,
    IMPORT_MARKER,
    MAX_DEPTH,
    MAX_ERRORS,
    MAX_INT_DIGITS,
    MAX_LINE_BYTES,
    HistoryImportError,
    ImportReport,
    LineError,
)
from motcua.dossiers.history.writer import import_history

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HEADER",
    "IMPORT_MARKER",
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_INT_DIGITS",
    "MAX_LINE_BYTES",
    "HistoryImportError",
    "ImportReport",
    "LineError",
    "dossier_record",
    "export_history",
    "import_history",
    "parse_lines",
    "parse_record",
]
