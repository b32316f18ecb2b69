"""What an uploaded file really is, from its bytes (never its name or the browser's claim).

Accepted: a PDF (header ``%PDF-`` and an ``%%EOF`` trailer near the end), a JPEG (SOI marker
``FF D8 FF`` and an EOI marker ``FF D9`` after it) or a PNG (signature, then the IHDR chunk).

Where an accepted file is written: under a pending name until its row commits (below), in
the storage ``STORAGES["default"]`` names: the local disk or S3-compatible object storage
(settings ``MOTCUA_STORAGE``; the S3 storage is in ``lib.s3storage``, imported only when
configured: boto3 takes a second to import). How it is read back: only through
:func:`open_checked`, which refuses bytes whose SHA-256 is not the one recorded when they were
written.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

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
    file again). Any storage: the move is the storage's own (:func:`promote`).
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
    """Move the pending file of ``name`` to ``name``; False if there was none.

    The storage's own move where it has one (a rename on disk, a server-side copy on S3);
    otherwise a copy through the storage API."""
    move = getattr(storage, "promote", None)
    if move is not None:
        return bool(move(name))
    try:
        source = storage.open(pending_name(name), "rb")
    except FileNotFoundError:
        return False
    with source:
        storage.save(name, source)
    storage.delete(pending_name(name))
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


class PendingReads:
    """Reads a file still pending (its transaction has not committed, or the process died
    between the commit and the move) from its pending name, so the transaction that wrote it,
    and a reader after such a crash, find it under its final name."""

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        try:
            return super().open(name, mode)  # type: ignore[misc,no-any-return]
        except FileNotFoundError:
            if "r" not in mode or "+" in mode:
                raise
            return super().open(pending_name(name), mode)  # type: ignore[misc,no-any-return]

    def size(self, name: str) -> int:
        try:
            return super().size(name)  # type: ignore[misc,no-any-return]
        except FileNotFoundError:
            return super().size(pending_name(name))  # type: ignore[misc,no-any-return]


class UploadStorage(PendingReads, FileSystemStorage):
    """The media storage on the local disk (``MEDIA_ROOT``): one machine, the default."""

    def promote(self, name: str) -> bool:
        """Rename the pending file of ``name`` into place (atomic on one filesystem)."""
        source = Path(self.path(pending_name(name)))
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except FileNotFoundError:
            return False
        return True

    def walk(self, folder: str) -> Iterator[tuple[str, datetime]]:
        """Every file under ``folder`` (storage names) with its last-modified moment."""
        root = Path(self.path(folder or ""))
        if not root.is_dir():
            return
        base = Path(self.path(""))
        for directory, _dirs, files in os.walk(root):
            for file_name in sorted(files):
                path = Path(directory) / file_name
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:  # removed meanwhile
                    continue
                yield path.relative_to(base).as_posix(), datetime.fromtimestamp(modified, UTC)


def walk(storage: Storage, folder: str = "") -> Iterator[tuple[str, datetime]]:
    """Every file under ``folder`` of ``storage`` with its last-modified moment: the storage's
    own listing where it has one, else ``listdir`` and ``get_modified_time``."""
    own = getattr(storage, "walk", None)
    if own is not None:
        yield from own(folder)
        return
    directories, files = storage.listdir(folder)
    for file_name in files:
        name = f"{folder}/{file_name}" if folder else file_name
        yield name, storage.get_modified_time(name)
    for directory in directories:
        yield from walk(storage, f"{folder}/{directory}" if folder else directory)


# -- read back only when the bytes are the ones recorded ----------------------------------

# Files are copied into a spooled temporary file while their hash is computed: at most this
# much of one file is held in memory, the rest goes to a temporary file.
SPOOL_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024


class StoredFileUnreadable(Exception):
    """A stored file that is missing or whose bytes are not those recorded when it was
    written: never served, never read as if it were intact."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def open_checked(field_file: FieldFile, sha256: str) -> IO[bytes]:
    """The bytes of ``field_file``, once their SHA-256 is ``sha256`` (the hash recorded when it
    was written): an open file at its start. Raises :class:`StoredFileUnreadable` (and logs
    it) when the file is missing or its bytes differ. Bounded memory: the bytes are spooled to
    a temporary file while hashed, so what is checked is exactly what is served."""
    name = str(field_file.name or "")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    digest = hashlib.sha256()
    try:
        with field_file.storage.open(name, "rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                digest.update(chunk)
                spool.write(chunk)
    except FileNotFoundError:
        spool.close()
        logger.error("stored file missing: %s", name)
        raise StoredFileUnreadable(
            name, _("The stored file %(name)s is missing.") % {"name": name}
        ) from None
    found = digest.hexdigest()
    if not sha256 or not hmac.compare_digest(found, sha256):
        spool.close()
        logger.error(
            "stored file refused: %s has SHA-256 %s, %s was recorded", name, found, sha256 or "-"
        )
        raise StoredFileUnreadable(
            name,
            _(
                "The stored file %(name)s is not the one recorded when it was uploaded "
                "(its content hash differs); it was not sent. Tell the system administrator."
            )
            % {"name": name},
        )
    spool.seek(0)
    return spool


def checked_file_response(
    request: HttpRequest,
    field_file: FieldFile,
    sha256: str,
    *,
    content_type: str,
    filename: str,
    as_attachment: bool = False,
) -> HttpResponse | FileResponse:
    """A download of ``field_file`` once its bytes match ``sha256``; otherwise the site's
    error page (500) saying the file was refused, and nothing of the file."""
    try:
        body = open_checked(field_file, sha256)
    except StoredFileUnreadable as error:
        title = _("The file cannot be sent")
        context = {"status": 500, "title": title, "message": error.message}
        return render(request, "errors/error.html", context, status=500)
    return FileResponse(
        body, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
