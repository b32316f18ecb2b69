"""The request-body limit: a body larger than the page takes is refused before it is read.

Django itself counts a form's fields (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) and files
(``DATA_UPLOAD_MAX_NUMBER_FILES``) and keeps at most ``FILE_UPLOAD_MAX_MEMORY_SIZE`` of an
upload in memory, but it reads a multipart body, however large, before a view can refuse it.
:class:`RequestSizeMiddleware` runs first and answers 413 with the site's page when the declared
``Content-Length`` is over the limit of the page addressed, and reads a chunked body (no length)
only up to that limit. The limits are ``settings.MOTCUA_UPLOADS`` (docs/limits.md); the proxy
in front (nginx ``client_max_body_size``) should refuse the same sizes even earlier.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Callable
from typing import IO, Any, cast

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from motcua.lib import errors

# A chunked body is copied in pieces of this size, into memory up to a megabyte, then to disk.
CHUNK_BYTES = 64 * 1024
SPOOL_MEMORY_BYTES = 1024 * 1024


def request_limit(path: str) -> int:
    """The largest body, in bytes, a request to ``path`` may carry: the page's own limit
    (``MOTCUA_UPLOADS["VIEW_MAX_BYTES"]``, by URL name) or ``REQUEST_MAX_BYTES``."""
    limits = cast(dict[str, Any], settings.MOTCUA_UPLOADS)
    per_view = cast(dict[str, int], limits.get("VIEW_MAX_BYTES", {}))
    if per_view:
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is not None and match.view_name in per_view:
            return int(per_view[match.view_name])
    return int(limits["REQUEST_MAX_BYTES"])


def _spool(source: IO[bytes], most: int) -> tuple[IO[bytes], int] | None:
    """The chunked body copied (at most ``most`` bytes), or None as soon as it is longer."""
    # Handed to the request, which closes it: no context manager here.
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    size = 0
    while True:
        chunk = source.read(CHUNK_BYTES)
        if not chunk:
            break
        size += len(chunk)
        if size > most:
            copy.close()
            return None
        copy.write(chunk)
    copy.seek(0)
    return cast(IO[bytes], copy), size


class Body(enum.Enum):
    """What :func:`body_within` found of a request's body against a limit."""

    WITHIN = "within"
    BAD_LENGTH = "bad-length"  # a Content-Length that is not a whole number of bytes
    TOO_LARGE = "too-large"


def body_within(request: HttpRequest, most: int) -> Body:
    """Whether ``request``'s body is within ``most`` bytes, decided from ``Content-Length``
    before any byte is read; a chunked body (no length) is copied up to the limit and handed
    back to the request with its length. The one check of the pages' and the API's limits."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            size = int(declared)
        except ValueError:
            return Body.BAD_LENGTH
        if size < 0:
            return Body.BAD_LENGTH
        return Body.TOO_LARGE if size > most else Body.WITHIN
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        spooled = _spool(request.META["wsgi.input"], most)
        if spooled is None:
            return Body.TOO_LARGE
        body, size = spooled
        # WSGIRequest read its stream's length from CONTENT_LENGTH (none: an empty body);
        # give it the copied body with its length.
        request.META["CONTENT_LENGTH"] = str(size)
        request._stream = LimitedStream(body, size)  # type: ignore[assignment,arg-type]
    return Body.WITHIN


def _refused(request: HttpRequest, most: int) -> HttpResponse:
    response = errors.request_too_large(request, most)
    # With its length the page can be read at once: the client is still expecting to send
    # its body, and the connection will not be reused.
    response["Content-Length"] = str(len(response.content))
    return response


class RequestSizeMiddleware:
    """413 for a body over the page's limit, decided from ``Content-Length`` before any byte
    of the body is read (a chunked body: while it is read, at the limit)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        most = request_limit(request.path_info)
        found = body_within(request, most)
        if found is Body.BAD_LENGTH:
            return errors.bad_request(request)
        if found is Body.TOO_LARGE:
            return _refused(request, most)
        return self.get_response(request)
