from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        # Connects the user_logged_in receivers: the sign-in throttle's, and the session
        # clock's (which must run on every sign-in, also before the first request has loaded
        # the middleware that imports it).
        from motcua.accounts import throttle  # noqa: F401
        from motcua.lib import sessions  # noqa: F401
