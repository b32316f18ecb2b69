"""The schemas every router shares.

- :class:`StrictSchema`: the base of every request body: an unknown field is refused (400
  ``validation`` naming it), never silently dropped. Response schemas may use it too.
- :class:`ProblemOut` / :class:`FieldErrorOut`: the problem document, for ``response={…}``
  declarations (``PROBLEMS`` lists the usual ones).
- :class:`PageOut`: the paging members of a list (``next``, ``previous`` cursors); a list
  schema subclasses it with its ``items``. The ``limit`` and ``cursor`` query parameters are
  read by ``motcua.api.paging``.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictSchema(Schema):
    """A schema refusing unknown fields (``extra="forbid"``)."""

    model_config = ConfigDict(extra="forbid")


class FieldErrorOut(Schema):
    field: str = Field(
        description="A JSON pointer into the body (/applicant/phone) or a parameter's name"
    )
    message: str


class ProblemOut(Schema):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str = Field(examples=["urn:motcua:problem:validation"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldErrorOut] = []


class PageOut(Schema):
    """A keyset page: pass ``next`` back as ``cursor`` for the following page (null at the
    end); ``previous`` likewise for the page before."""

    next: str | None = Field(None, description="cursor of the next page, null at the end")
    previous: str | None = Field(None, description="cursor of the previous page")


# The refusals any authenticated route may answer, for its ``response=`` declaration:
# ``response={200: ThingOut, **PROBLEMS}``.
PROBLEMS: dict[int, type[Schema]] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    429: ProblemOut,
}
