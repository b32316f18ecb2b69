"""System checks of the dossiers app: a bad dossier rule (``MOTCUA_DOSSIERS``, the facts the
spec leaves unconfirmed) stops the start with its setting named, not the first write or
report with a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_dossier_rules(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from motcua.dossiers.selectors import early_rule, paid_online_methods, supplement_limit

    readers: list[tuple[str, Callable[[], object]]] = [
        ("MOTCUA_EARLY_RULE", early_rule),
        ("MOTCUA_MAX_SUPPLEMENT_REQUESTS_ON_TIME", supplement_limit),
        ("MOTCUA_PAID_ONLINE_METHODS", paid_online_methods),
    ]
    errors = []
    for number, (setting, read) in enumerate(readers, start=1):
        try:
            read()
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id=f"motcua.dossiers.E00{number}"))
        except ValueError as error:  # an enum's own refusal names the value, not the setting
            errors.append(Error(f"{setting}: {error}", id=f"motcua.dossiers.E00{number}"))
    return errors
