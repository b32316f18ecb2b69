"""``motcua api clients create|update|list|revoke|rotate``: the API's machine clients (docs/api.md).

``create NAME --scope S … --unit CODE … [--role clerk|officer] [--rate N]`` prints the client
id and the secret once: only a hash of the secret is kept, a lost secret is replaced with
``rotate``. ``update CLIENT_ID [--scope S …] [--unit CODE …] [--role R …] [--rate N]`` replaces
what is given (new units or roles stop the tokens issued before). ``revoke`` stops the client's
live tokens at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.api.choices import CLIENT_ROLES, Scope
from motcua.api.errors import ApiClientError
from motcua.api.management import webhooks_cli
from motcua.api.models import ApiClient
from motcua.api.services import client_create, client_revoke, client_rotate, client_update
from motcua.lib.formatting import format_moment

OPTION_OF_FIELD = {
    "name": "NAME",
    "scope": "--scope",
    "unit": "--unit",
    "role": "--role",
    "rate": "--rate",
    "client_id": "CLIENT_ID",
}


def _refused(error: ApiClientError) -> CommandError:
    option = OPTION_OF_FIELD.get(error.field or "", error.field or "")
    return CommandError(f"{option}: {error.message}" if option else error.message)


def _whole_rate(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise CommandError(
            _("--rate: %(value)r is not a whole number") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = "The API's machine clients: create, update, list, revoke, rotate."

    def add_arguments(self, parser: CommandParser) -> None:
        top = parser.add_subparsers(dest="group", required=True)
        clients = top.add_parser("clients", help="machine clients (OAuth2 client credentials)")
        sub = clients.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a client; prints its id and secret once")
        create.add_argument("name", help="the calling system's name")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            help="a scope, repeatable: " + ", ".join(s.value for s in Scope),
        )
        create.add_argument(
            "--unit", action="append", default=[], help="a unit code in force today, repeatable"
        )
        create.add_argument(
            "--role",
            action="append",
            default=[],
            help="the role it acts in, repeatable: "
            + ", ".join(r.value for r in CLIENT_ROLES)
            + " (default clerk)",
        )
        create.add_argument("--rate", help="calls per minute (default MOTCUA_API_RATE_PER_MINUTE)")
        update = sub.add_parser(
            "update",
            help="change a client's scopes, units, roles or rate (each given replaces the old); "
            "new units or roles stop the tokens issued before",
        )
        update.add_argument("client_id")
        for option in ("--scope", "--unit", "--role"):
            update.add_argument(option, action="append", default=None, help="repeatable")
        update.add_argument("--rate", help="calls per minute")
        sub.add_parser("list", help="every client, active or revoked")
        revoke = sub.add_parser("revoke", help="revoke a client: its tokens stop working")
        revoke.add_argument("client_id")
        rotate = sub.add_parser("rotate", help="a new secret; prints it once")
        rotate.add_argument("client_id")
        webhooks_cli.add_parser(top)  # motcua api webhooks … (api/management/webhooks_cli.py)

    def handle(self, *args: Any, group: str, action: str, **options: Any) -> None:
        if group == "webhooks":
            return webhooks_cli.handle(self, action, options)
        try:
            if action == "create":
                self.create(options)
            elif action == "update":
                client = client_update(
                    client_id=options["client_id"],
                    scopes=options["scope"],
                    unit_codes=options["unit"],
                    roles=options["role"],
                    rate_per_minute=_whole_rate(options.get("rate")),
                )
                self.stdout.write(_("Updated %(client)s.") % {"client": client})
                self.stdout.write(f"scopes: {' '.join(client.scopes)}")
                units = ",".join(sorted(u.code for u in client.units.all())) or "-"
                self.stdout.write(f"{_('units')}: {units}  roles: {' '.join(client.roles)}")
            elif action == "list":
                self.list()
            elif action == "revoke":
                client = client_revoke(client_id=options["client_id"])
                self.stdout.write(_("Revoked %(client)s.") % {"client": client})
            else:
                client, secret = client_rotate(client_id=options["client_id"])
                self.stdout.write(_("New secret of %(client)s (shown once):") % {"client": client})
                self.stdout.write(f"client_secret: {secret}")
        except ApiClientError as error:
            raise _refused(error) from None

    def create(self, options: dict[str, Any]) -> None:
        client, secret = client_create(
            name=options["name"],
            scopes=options["scope"],
            unit_codes=options["unit"],
            roles=options["role"],
            rate_per_minute=_whole_rate(options.get("rate")),
        )
        self.stdout.write(
            _("Created API client %(name)s. The secret is shown once; keep it safe.")
            % {"name": client.name}
        )
        self.stdout.write(f"client_id: {client.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        self.stdout.write(f"scopes: {' '.join(client.scopes)}")

    def list(self) -> None:
        clients = ApiClient.objects.prefetch_related("units").order_by("name", "client_id")
        for client in clients:
            state = _("active") if client.active else _("revoked")
            used = format_moment(client.last_used_at) if client.last_used_at else "-"
            units = ",".join(sorted(u.code for u in client.units.all())) or "-"
            self.stdout.write(
                f"{client.client_id}  {client.name}  [{state}]  "
                f"{' '.join(client.scopes)}  {_('units')}: {units}  "
                f"{_('last used')}: {used}"
            )
