"""A read done outside a request, then inside one, as the reports' tests compare them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.signals import request_finished, request_started

from motcua.units.tree import unit_tree

T = TypeVar("T")


def outside_then_inside_a_request(read: Callable[[], T]) -> tuple[T, T]:
    """``read()`` outside a request, then in one whose tree of units is held (``units.tree``:
    only there may a lineage of every unit be read without its ids)."""
    outside = read()
    request_started.send(sender=None)
    try:
        unit_tree()
        return outside, read()
    finally:
        request_finished.send(sender=None)
