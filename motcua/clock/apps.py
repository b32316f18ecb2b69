from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClockConfig(AppConfig):
    name = "motcua.clock"
    label = "clock"
    verbose_name = _("Statutory clock")

    def ready(self) -> None:
        # Cache invalidation only (no domain logic): an edit in this process applies at once;
        # other processes see it within MOTCUA_CLOCK["CACHE_SECONDS"].
        from django.db.models.signals import post_delete, post_save

        from motcua.clock.models import CalendarOverride, CalendarPolicy, OfficeHours
        from motcua.clock.selectors import forget_calendars

        for model in (CalendarOverride, CalendarPolicy, OfficeHours):
            post_save.connect(forget_calendars, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(forget_calendars, sender=model, dispatch_uid=f"forget-{model}-d")
