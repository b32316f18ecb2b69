"""System checks of the reports app: a bad ``MOTCUA_766`` stops the start, not a report."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register


@register()
def check_index_config(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from motcua.reports.selectors import index_config

    try:
        index_config()
    except ValueError as error:
        return [Error(f"MOTCUA_766: {error}", id="motcua.reports.E001")]
    return []
