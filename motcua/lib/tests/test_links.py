"""``last_segment_paths`` gives what reverse() gives, quoting included (``motcua.lib.links``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.lib.links import last_segment_paths

CODES = [
    "000.00.19.H55-261205-0001",
    "a&b=c;d",
    "mã hồ sơ Ấp",
    "x?y#z%20",
    "<'\"!$()*+,~:@>",
]


@pytest.mark.parametrize("name", ["backoffice:dossier", "portal:dossier"])
def test_the_paths_are_reverses(name):
    path = last_segment_paths(name)
    for code in CODES:
        assert path(code) == reverse(name, args=[code])
