from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        # A calendar amendment re-counts the dossiers it touches (dossiers.figures): the
        # admin edits calendar rows directly, so the ledger follows their saves and deletes.
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from motcua.clock.models import CalendarOverride, CalendarPolicy, OfficeHours
        from motcua.dossiers import (
            checks,  # noqa: F401 (registers the system checks)
            figures,
        )

        def begin(instance: Any, raw: bool = False, **_: Any) -> None:
            if not raw:
                figures.calendar_change_begin(instance)

        def end(instance: Any, raw: bool = False, **_: Any) -> None:
            if not raw:
                figures.calendar_change_end(instance)

        for model in (CalendarOverride, CalendarPolicy, OfficeHours):
            pre_save.connect(begin, sender=model, dispatch_uid=f"ledger-{model}-1", weak=False)
            pre_delete.connect(begin, sender=model, dispatch_uid=f"ledger-{model}-2", weak=False)
            post_save.connect(end, sender=model, dispatch_uid=f"ledger-{model}-3", weak=False)
            post_delete.connect(end, sender=model, dispatch_uid=f"ledger-{model}-4", weak=False)
