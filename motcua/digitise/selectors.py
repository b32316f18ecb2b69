"""Reads of the digitise app."""

from __future__ import annotations

from dataclasses import dataclass, field

from motcua.digitise.choices import Status, SuggestionKind
from motcua.digitise.models import Digitisation, Suggestion
from motcua.dossiers.models import Dossier, DossierFile

BUSY = (Status.QUEUED, Status.RUNNING)


@dataclass
class FileRow:
    """A component scan of a dossier and its digitisation (None: not requested yet)."""

    file: DossierFile
    digitisation: Digitisation | None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return self.digitisation is not None and self.digitisation.status in BUSY

    def initial(self) -> dict[str, str]:
        """The form's first values: what the clerk confirmed, else the first valid
        suggestion of each kind (an invalid one is shown, never offered)."""
        if self.digitisation is not None and self.digitisation.confirmed_at is not None:
            return dict(self.digitisation.confirmed_values)
        values: dict[str, str] = {}
        for suggestion in self.suggestions:
            if suggestion.valid and suggestion.kind not in values:
                values[suggestion.kind] = suggestion.value
        return values


def dossier_file_rows(dossier: Dossier) -> list[FileRow]:
    """The dossier's component scans with their digitisations and suggestions (three
    queries whatever the number of files)."""
    files = list(dossier.files.filter(kind=DossierFile.Kind.COMPONENT).select_related("component"))
    found = {
        d.file_id: d
        for d in Digitisation.objects.filter(file__in=files).select_related("confirmed_by")
    }
    suggestions: dict[int, list[Suggestion]] = {}
    for suggestion in Suggestion.objects.filter(digitisation__in=found.values()):
        suggestions.setdefault(suggestion.digitisation_id, []).append(suggestion)
    rows = []
    for stored in files:
        digitisation = found.get(stored.pk)
        rows.append(
            FileRow(
                stored,
                digitisation,
                suggestions.get(digitisation.pk, []) if digitisation else [],
            )
        )
    return rows


def kinds() -> list[tuple[str, str]]:
    """The suggestion kinds as (value, label) for the confirmation form."""
    return [(kind.value, str(kind.label)) for kind in SuggestionKind]
