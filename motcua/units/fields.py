"""Optional links to an agency or an administrative unit, as the apps above units declare them.

Protected: a unit or agency that a row refers to cannot be deleted. Optional: the row may name
none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

    from motcua.units.models import AdministrativeUnit, Agency


def optional_agency(
    verbose_name: _StrOrPromise, *, related_name: str
) -> models.ForeignKey[Agency | None, Agency | None]:
    """A nullable, protected foreign key to an agency."""
    return models.ForeignKey(
        "units.Agency",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


def optional_unit(
    verbose_name: _StrOrPromise, *, related_name: str
) -> models.ForeignKey[AdministrativeUnit | None, AdministrativeUnit | None]:
    """A nullable, protected foreign key to an administrative unit."""
    return models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )
