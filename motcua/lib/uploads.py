"""What an uploaded file really is, from its bytes (never its name or the browser's claim).

Accepted: a PDF (header ``%PDF-`` and an ``%%EOF`` trailer near the end), a JPEG (SOI marker
``FF D8 FF`` and an EOI marker ``FF D9`` after it) or a PNG (signature, then the IHDR chunk).

Where an accepted file is written: under a pending name until its row commits (below).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.fields.files import FieldFile

# PDF writers may put a few bytes (a newline, a signature's padding) after %%EOF.
PDF_TRAILER_WINDOW = 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` if it is a PDF, JPEG or PNG, else None."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TRAILER_WINDOW:]:
        return "application/pdf"
    # Cameras may append their own data after the end-of-image marker: look for it anywhere.
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[3:]:
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "image/png"
    return None


# -- stored only once committed -----------------------------------------------------------
#
# An uploaded file is written under ``pending/<its final name>`` while the transaction that
# records its row is open, and moved to its final name only when that transaction commits
# (``transaction.on_commit``). A rolled-back transaction or savepoint leaves no file: its
# pending file is removed when the thread notices (the next upload, the end of the request, or
# :func:`discard_rolled_back`). A process killed mid-transaction leaves only a pending file,
# which the janitor (``motcua.lib.janitor``) removes; one killed between the commit and the
# move leaves a pending file whose row exists, which the janitor moves into place.

PENDING_DIR = "pending"


@dataclass
class _Pending:
    storage: Storage
    name: str  # the final name
    alias: str
    done: bool = False
    callback: Callable[[], None] | None = None


_local = threading.local()


def _registry() -> list[_Pending]:
    if not hasattr(_local, "pending"):
        _local.pending = []
    found: list[_Pending] = _local.pending
    return found


def pending_name(name: str) -> str:
    """Where the file that will be called ``name`` waits for its transaction to commit."""
    return f"{PENDING_DIR}/{name}"


def save_on_commit(
    field_file: FieldFile, name: str, content: bytes | File[bytes], *, using: str | None = None
) -> str:
    """Give ``field_file`` its final name now and write its bytes under a pending name; the
    bytes reach the final name when the current transaction commits. Returns the final name.

    The caller saves the row (the field is marked committed, so the model does not write the
    file again). The storage must be a local one (``FileSystemStorage``): the move is a rename.
    """
    discard_rolled_back()
    storage = field_file.storage
    final = field_file.field.generate_filename(field_file.instance, name)
    body = content if isinstance(content, File) else ContentFile(content)
    if hasattr(body, "seek"):
        body.seek(0)
    written = storage.save(pending_name(final), body)
    final = written[len(PENDING_DIR) + 1 :]  # the storage may have changed a taken name
    field_file.name = final
    field_file._committed = True  # type: ignore[attr-defined]  # Django's own flag: written
    entry = _Pending(storage, final, using or DEFAULT_DB_ALIAS)

    def move() -> None:
        promote(storage, final)
        entry.done = True

    entry.callback = move
    _registry().append(entry)
    transaction.on_commit(move, using=entry.alias)
    return final


def promote(storage: Storage, name: str) -> bool:
    """Move the pending file of ``name`` to ``name``; False if there was none."""
    source = Path(storage.path(pending_name(name)))
    target = Path(storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except FileNotFoundError:
        return False
    return True


def discard(field_file: FieldFile) -> None:
    """Remove a file whose row will not exist (rolled back): pending or already in place."""
    name = field_file.name
    if not name:
        return
    for candidate in (pending_name(name), name):
        field_file.storage.delete(candidate)


def discard_rolled_back() -> int:
    """Remove this thread's pending files whose transaction (or savepoint) rolled back; how
    many. A pending file is alive while its move is still queued on its connection."""
    alive: list[_Pending] = []
    removed = 0
    for entry in _registry():
        if entry.done:
            continue
        queued = connections[entry.alias].run_on_commit
        if any(item[1] is entry.callback for item in queued):  # (savepoints, callback, robust)
            alive.append(entry)
            continue
        entry.storage.delete(pending_name(entry.name))
        removed += 1
    _local.pending = alive
    return removed


def _after_request(**_kwargs: Any) -> None:
    discard_rolled_back()


# A view whose transaction rolled back after a file was written leaves nothing behind.
request_finished.connect(_after_request, dispatch_uid="motcua.lib.uploads.discard_rolled_back")


class UploadStorage(FileSystemStorage):
    """The media storage: a file still pending (its transaction has not committed, or the
    process died between the commit and the move) is read from its pending name, so the
    transaction that wrote it, and a reader after such a crash, find it under its final name."""

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        try:
            return super().open(name, mode)
        except FileNotFoundError:
            if "r" not in mode or "+" in mode:
                raise
            return super().open(pending_name(name), mode)

    def size(self, name: str) -> int:
        try:
            return super().size(name)
        except FileNotFoundError:
            return super().size(pending_name(name))
