"""Links written many times a page, with one ``reverse()`` for all of them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What reverse() leaves unquoted in the arguments it puts in a path (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


def last_segment_paths(name: str) -> Callable[[str], str]:
    """``reverse(name, args=[value])`` for a URL whose one argument is its last segment
    (``.../<str:code>/``), the value quoted as reverse() quotes it: a list of 100 dossiers
    spent about 5 ms reversing its codes' links one by one (docs/performance.md)."""
    base = reverse(name, args=["-"]).removesuffix("-/")
    return lambda value: f"{base}{quote(value, safe=_PATH_SAFE)}/"


def url_path(name: str) -> str:
    """``reverse(name)`` for a URL without arguments, reversed once per name (and prefix and
    URLconf): a province's dashboard links about 50 lists and pages, and a reverse() took
    29 µs of each (docs/performance.md)."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _reversed(name: str, prefix: str, urlconf: object) -> str:
    return reverse(name)
