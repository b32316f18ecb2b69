"""System checks of the jobs app: a bad ``MOTCUA_JOBS`` or base URL stops the start, not the
first digest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_jobs_config(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from motcua.jobs.selectors import jobs_config
    from motcua.lib.site import base_url, base_url_problem

    errors = []
    try:
        jobs_config()
    except ImproperlyConfigured as error:
        errors.append(Error(str(error), id="motcua.jobs.E001"))
    # Unset is only possible in production, where the deploy check below reports it.
    problem = base_url_problem(base_url()) if base_url() else None
    if problem:
        errors.append(Error(f"MOTCUA_BASE_URL={base_url()!r}: {problem}", id="motcua.jobs.E002"))
    return errors


@register(Tags.security, deploy=True)
def check_base_url_set(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production must say where citizens reach the site: QR codes on printed forms and links
    in e-mails are built from it (motcua.lib.site)."""
    if settings.PRODUCTION and not settings.MOTCUA_BASE_URL:
        return [
            Error(
                "MOTCUA_BASE_URL is not set: QR codes and e-mail links need the public address, "
                "e.g. MOTCUA_BASE_URL=https://dichvucong.example.vn/",
                id="motcua.jobs.E003",
            )
        ]
    return []
