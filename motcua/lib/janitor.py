"""The upload janitor: no file on disk without its row, none lost with one.

Uploads wait under ``pending/`` until their transaction commits (``lib.uploads``). What a
crash can leave, and what the janitor does with it once it is older than the grace period
(``MOTCUA_UPLOAD_JANITOR_HOURS``, default 24: far longer than any transaction, short enough
that a flood of abandoned uploads does not stay a day more):

- a pending file whose row exists (the process died between the commit and the move): moved
  into place;
- a pending file with no row (killed before the commit, or a rollback nobody noticed): removed;
- a file in an upload folder that no row names (an orphan): removed.

The same on the local disk and on S3-compatible object storage: only the storage API
(``lib.uploads.walk``, ``delete``, the storage's own move), never a local path.

Run by ``motcua files clean`` and by the worker's daily housekeeping (``jobs.housekeeping``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from motcua.lib.uploads import PENDING_DIR, pending_name, promote, walk

DEFAULT_HOURS = 24
BATCH = 1000
# How far back the daily run looks in dated upload folders (see files_clean).
RECENT_DAYS = 62


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


def _recent_folders(
    model: type[models.Model], field: models.FileField, since: datetime, until: datetime
) -> list[str]:
    """The dated folders (``dossiers/2026/11``) a field's uploads between ``since`` and
    ``until`` went in; the whole fixed folder when its names carry no date."""
    if not isinstance(field.upload_to, str) or "%" not in field.upload_to:
        return [_folder(model, field)]
    folders: list[str] = []
    day = since.astimezone(UTC).date().replace(day=1)
    last = until.astimezone(UTC).date()
    while day <= last:
        # Django names by the local clock (timezone.now() under USE_TZ is UTC); a month either
        # side of the window covers the difference.
        folders.append(day.strftime(field.upload_to).strip("/"))
        day = (day + timedelta(days=32)).replace(day=1)
    return folders


def _named(names: list[str]) -> set[str]:
    """Which of ``names`` a row holds (one query per file field for the whole batch)."""
    found: set[str] = set()
    for model, field in _file_fields():
        rows = model._base_manager.filter(**{f"{field.name}__in": names})
        found.update(rows.values_list(field.name, flat=True))
    return found


def _batches(files: Iterator[tuple[str, datetime]], before: datetime) -> Iterator[list[str]]:
    """The names of ``files`` written before ``before``, a thousand at a time: the janitor
    asks the database about a batch at once and never holds every name of a bucket."""
    batch: list[str] = []
    for name, modified in files:
        if modified >= before:
            continue
        batch.append(name)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def files_clean(
    *, now: datetime | None = None, hours: int | None = None, full: bool = False
) -> FilesCleaned:
    """Move or remove what crashes left (see the module); files newer than ``hours`` (the
    grace period) are left alone, so an upload in flight is never touched. Works on any
    storage through its API (the local disk, S3-compatible object storage).

    ``pending/`` is always listed whole (it holds only uploads in flight or crashed). The
    upload folders are listed whole only with ``full``; otherwise only the dated folders of
    the last ``RECENT_DAYS`` (``dossiers/2026/11``): a province's bucket holds hundreds of
    millions of scans, and listing them all every day would take hours. An orphan can only
    appear there from a crash within the grace period, or from outside (a restored older
    database, a hand copy), which ``motcua files clean --all`` sweeps."""
    moment = now or timezone.now()
    before = moment - timedelta(hours=grace_hours() if hours is None else hours)
    storage = default_storage
    done = FilesCleaned()
    prefix = PENDING_DIR + "/"
    # Listed before anything moves: a moved file is not met again under its final name.
    for batch in list(_batches(walk(storage, PENDING_DIR), before)):
        finals = [name[len(prefix) :] for name in batch]
        named = _named(finals)
        for final in finals:
            if final in named:
                if promote(storage, final):
                    done.pending_moved += 1
            else:
                storage.delete(pending_name(final))
                done.pending_removed += 1
    since = before - timedelta(days=RECENT_DAYS)
    folders = sorted(
        {
            folder
            for model, field in _file_fields()
            for folder in (
                [_folder(model, field)]
                if full
                else _recent_folders(model, field, since, moment + timedelta(days=1))
            )
        }
        - {""}
    )
    for folder in folders:
        for batch in _batches(walk(storage, folder), before):
            named = _named(batch)
            for name in batch:
                if name not in named:
                    storage.delete(name)
                    done.orphans_removed += 1
    return done
