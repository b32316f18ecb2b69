"""The site's public address (``MOTCUA_BASE_URL``) and absolute links built from it.

One home for every absolute link motcua hands out: QR codes on printed forms, links in
e-mails, rating links. They are built from the configured address, never from the request's
``Host`` header: a background worker has no request, and behind a proxy the Host the app sees
is not the one citizens type.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def base_url() -> str:
    """``MOTCUA_BASE_URL`` without its trailing slash ("" when unset, production only)."""
    return str(getattr(settings, "MOTCUA_BASE_URL", "") or "").rstrip("/")


def site_url(path: str) -> str:
    """The absolute address of ``path`` (an absolute path such as ``reverse(...)`` gives, with
    its query string if any): ``site_url("/dich-vu-cong/tra-cuu/?code=X")`` ->
    ``https://dichvucong.example.vn/dich-vu-cong/tra-cuu/?code=X``. A base address with a
    path prefix (``https://example.vn/motcua/``) keeps it."""
    if not path.startswith("/"):
        raise ValueError(f"site_url expects an absolute path, got {path!r}")
    return base_url() + path


def base_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the site's public address, or None when it can."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "expected an address such as https://dichvucong.example.vn/"
    if parts.query or parts.fragment:
        return "an address without ?query or #fragment"
    return None
