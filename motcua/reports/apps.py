from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "motcua.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from motcua.reports import checks  # noqa: F401 (registers the system checks)
