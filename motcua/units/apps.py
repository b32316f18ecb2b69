from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "motcua.units"
    label = "units"
    verbose_name = _("Administrative units and agencies")

    def ready(self) -> None:
        # Connects the tree's request signals (units.tree: a token read once per request).
        from motcua.units import tree  # noqa: F401
