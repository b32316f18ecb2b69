from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "motcua.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.backends.signals import connection_created

        from motcua.lib.commandline import translate_argparse
        from motcua.lib.pgtime import use_c_loader

        # Commands refuse bad arguments in the interface language (motcua.lib.commandline).
        translate_argparse()

        # PostgreSQL's timestamps parsed in C (motcua.lib.pgtime): a tenth of a long list's time.
        connection_created.connect(use_c_loader, dispatch_uid="motcua.lib.pgtime")

        # Traces only when a collector is configured: otherwise nothing is imported.
        endpoint = getattr(settings, "MOTCUA_OTEL_ENDPOINT", "")
        if endpoint:
            from motcua.ops.otel import otel_configure

            otel_configure(endpoint, getattr(settings, "MOTCUA_OTEL_SERVICE_NAME", "motcua"))
