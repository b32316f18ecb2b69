"""The upload janitor: no file on disk without its row, none lost with one.

Uploads wait under ``pending/`` until their transaction commits (``lib.uploads``). What a
crash can leave, and what the janitor does with it once it is older than the grace period
(``MOTCUA_UPLOAD_JANITOR_HOURS``, default 24: far longer than any transaction, short enough
that a flood of abandoned uploads does not stay a day more):

- a pending file whose row exists (the process died between the commit and the move): moved
  into place;
- a pending file with no row (killed before the commit, or a rollback nobody noticed): removed;
- a file in an upload folder that no row names (an orphan): removed.

Run by ``motcua files clean`` and by the worker's daily housekeeping (``jobs.housekeeping``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone

from motcua.lib.uploads import PENDING_DIR, pending_name, promote

DEFAULT_HOURS = 24


@dataclass
class FilesCleaned:
    """What one run of the janitor did (counts of files)."""

    pending_removed: int = 0
    pending_moved: int = 0
    orphans_removed: int = 0

    @property
    def total(self) -> int:
        return self.pending_removed + self.pending_moved + self.orphans_removed


def grace_hours() -> int:
    """Hours a file is left alone before the janitor judges it (a setting)."""
    return int(getattr(settings, "MOTCUA_UPLOAD_JANITOR_HOURS", DEFAULT_HOURS))


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.storage is default_storage:
                yield model, field


def _folder(model: type[models.Model], field: models.FileField) -> str:
    """The fixed folder a field's uploads go in (``dossiers/`` of ``dossiers/%Y/%m/``)."""
    if isinstance(field.upload_to, str):
        return field.upload_to.split("%", 1)[0].strip("/")
    return os.path.dirname(field.generate_filename(model(), "x"))


def _named() -> set[str]:
    """Every file name a row holds."""
    names: set[str] = set()
    for model, field in _file_fields():
        rows = model._default_manager.exclude(**{field.name: ""}).exclude(
            **{f"{field.name}__isnull": True}
        )
        names.update(rows.values_list(field.name, flat=True).iterator(chunk_size=2000))
    return names


def _files(storage: Storage, folder: str, before: float) -> Iterator[str]:
    """Storage names of the files under ``folder`` last written before ``before``."""
    root = Path(storage.path(folder))
    if not root.is_dir():
        return
    base = Path(storage.path(""))
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            try:
                if path.stat().st_mtime >= before:
                    continue
            except FileNotFoundError:  # removed meanwhile
                continue
            yield path.relative_to(base).as_posix()


def files_clean(*, now: datetime | None = None, hours: int | None = None) -> FilesCleaned:
    """Move or remove what crashes left (see the module); files newer than ``hours`` (the
    grace period) are left alone, so an upload in flight is never touched."""
    moment = now or timezone.now()
    before = (moment - timedelta(hours=grace_hours() if hours is None else hours)).timestamp()
    storage = default_storage
    done = FilesCleaned()
    named = _named()
    prefix = PENDING_DIR + "/"
    for name in list(_files(storage, PENDING_DIR, before)):
        final = name[len(prefix) :]
        if final in named:
            if promote(storage, final):
                done.pending_moved += 1
        else:
            storage.delete(pending_name(final))
            done.pending_removed += 1
    folders = sorted({_folder(model, field) for model, field in _file_fields()} - {""})
    for folder in folders:
        for name in list(_files(storage, folder, before)):
            if name not in named:
                storage.delete(name)
                done.orphans_removed += 1
    return done
