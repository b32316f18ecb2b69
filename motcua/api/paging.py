"""Keyset pages for the API's lists, on ``lib.paging`` (signed cursors, no OFFSET, no COUNT).

A list route takes ``limit`` (1 to ``MOTCUA_API["PAGE_MAX"]``, default
``MOTCUA_API["PAGE_DEFAULT"]``) and ``cursor`` (the ``next`` or ``previous`` of the page
before), and answers its rows with the two cursors::

    from motcua.api.paging import PageQuery, api_page

    @router.get("/things", response={200: ThingPage, **PROBLEMS}, auth=scoped(Scope.X))
    def things(request, query: Query[PageQuery]):
        page = api_page(Thing.objects.filter(...), THING_ORDER, query)
        return {"items": page.rows, "next": page.next_cursor, "previous": page.previous_cursor}

A limit beyond the maximum, or a cursor of another list, answers 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pydantic import Field

from motcua.api.conf import api_int
from motcua.api.problems import Problem
from motcua.api.schemas import StrictSchema
from motcua.lib.http import BadParameter
from motcua.lib.paging import Ordering, Page, keyset_page, read_cursor


class PageQuery(StrictSchema):
    limit: int | None = Field(None, description="rows per page (at most MOTCUA_API PAGE_MAX)")
    cursor: str | None = Field(None, max_length=4000, description="next or previous of a page")


def page_limit(limit: int | None) -> int:
    """The page size asked for, or 400 naming ``limit`` beyond the bounds."""
    most = api_int("PAGE_MAX")
    if limit is None:
        return min(api_int("PAGE_DEFAULT"), most)
    if not 1 <= limit <= most:
        raise Problem.invalid("limit", _("limit must be between 1 and %(most)d") % {"most": most})
    return limit


def api_page(queryset: QuerySet[Any], ordering: Ordering, query: PageQuery, **kw: Any) -> Page[Any]:
    """The page of ``queryset`` in ``ordering`` that ``query`` asks for (``kw``: ``scan``,
    ``chunk`` of ``lib.paging.keyset_page``)."""
    size = page_limit(query.limit)
    try:
        cursor = read_cursor(query.cursor, ordering, "cursor")
    except BadParameter as error:
        raise Problem.invalid("cursor", error.message) from None
    return keyset_page(queryset, ordering, cursor, size, **kw)
