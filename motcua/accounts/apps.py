from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        # Connects the sign-in throttle's user_logged_in receiver.
        from motcua.accounts import throttle  # noqa: F401
