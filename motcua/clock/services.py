"""Writes of the clock app."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from motcua.clock.models import CalendarOverride
from motcua.core import clock as core

OFFICIAL_OVERRIDES = Path(__file__).resolve().parent / "data" / "official_overrides.csv"


def read_overrides_file(path: Path = OFFICIAL_OVERRIDES) -> list[core.Override]:
    """Overrides from a CSV file (date,kind,name,legal_ref); errors name the file and line."""
    return core.parse_overrides_csv(path.read_text(encoding="utf-8"), source=path.name)


@transaction.atomic
def load_official_overrides(path: Path = OFFICIAL_OVERRIDES) -> int:
    """Store the official nationwide decisions the ``holidays`` package lacks (§7.4).

    Idempotent: each date's nationwide row is created or brought up to date, nothing else is
    touched. Returns the number of overrides in the file.
    """
    overrides = read_overrides_file(path)
    for item in overrides:
        row = CalendarOverride.objects.filter(province__isnull=True, date=item.day).first()
        wanted = {"kind": item.kind.value, "name": item.name, "legal_ref": item.legal_ref}
        if row is None:
            row = CalendarOverride(province=None, date=item.day, **wanted)
        elif all(getattr(row, name) == value for name, value in wanted.items()):
            continue  # unchanged: leave updated_at alone so calendars stay cached
        else:
            for name, value in wanted.items():
                setattr(row, name, value)
        row.full_clean()
        row.save()
    return len(overrides)
