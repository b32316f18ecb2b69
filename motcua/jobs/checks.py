"""System checks of the jobs app: a bad ``MOTCUA_JOBS`` or base URL stops the start, not the
first digest."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_jobs_config(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from motcua.jobs.selectors import base_url, jobs_config

    errors = []
    try:
        jobs_config()
    except ImproperlyConfigured as error:
        errors.append(Error(str(error), id="motcua.jobs.E001"))
    if not base_url().startswith(("http://", "https://")):
        errors.append(
            Error(
                f"MOTCUA_BASE_URL={base_url()!r}: expected an address starting with "
                "http:// or https://",
                id="motcua.jobs.E002",
            )
        )
    return errors
