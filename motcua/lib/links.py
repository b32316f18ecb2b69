"""Links written many times a page, with one ``reverse()`` for all of them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse

# What reverse() leaves unquoted in the arguments it puts in a path (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


def last_segment_paths(name: str) -> Callable[[str], str]:
    """``reverse(name, args=[value])`` for a URL whose one argument is its last segment
    (``.../<str:code>/``), the value quoted as reverse() quotes it: a list of 100 dossiers
    spent about 5 ms reversing its codes' links one by one (docs/performance.md)."""
    base = reverse(name, args=["-"]).removesuffix("-/")
    return lambda value: f"{base}{quote(value, safe=_PATH_SAFE)}/"
