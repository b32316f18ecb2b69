"""``motcua api webhooks create|list|rotate|disable|enable|replay|log`` (docs/api.md
"Webhooks"): the ``webhooks`` group of the ``motcua api`` command, which calls
:func:`add_parser` and :func:`handle`.

create --client CLIENT_ID --url URL [--unit CODE …] [--kind ACTION …]   prints the secret once
list [--client CLIENT_ID]                     every subscription, its state and filters
rotate ID                                     a new secret (printed once); the old one signs too
                                              for MOTCUA_WEBHOOK_ROTATION_OVERLAP_HOURS
disable ID | enable ID                        stop / resume sending
replay --subscription ID --since MOMENT | --delivery ID
log ID [--limit N]                            the latest deliveries and their attempts
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from motcua.api import webhooks
from motcua.api.models import WebhookDelivery, WebhookSubscription
from motcua.core.clock import LOCAL_TZ
from motcua.lib.formatting import format_moment
from motcua.lib.parsing import parse_moment

OPTION_OF_FIELD = {
    "url": "--url",
    "client": "--client",
    "unit": "--unit",
    "kind": "--kind",
    "subscription": "--subscription",
    "since": "--since",
    "delivery": "--delivery",
}


def add_parser(top: Any) -> None:
    """The ``webhooks`` sub-commands, under ``motcua api``'s sub-parsers ``top``."""
    group = top.add_parser("webhooks", help="webhook subscriptions, deliveries and replays")
    sub = group.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="subscribe a client; prints the secret once")
    create.add_argument("--client", required=True, help="the client id")
    create.add_argument("--url", required=True, help="the receiver's http(s) URL")
    create.add_argument("--unit", action="append", default=[], help="a unit code, repeatable")
    create.add_argument(
        "--kind", action="append", default=[], help="an event action (receive …), repeatable"
    )
    listing = sub.add_parser("list", help="every subscription")
    listing.add_argument("--client", help="only this client's")
    for name, text in (
        ("rotate", "a new secret, printed once; the previous one signs during the overlap"),
        ("disable", "stop sending (pending deliveries are kept)"),
        ("enable", "resume sending, pending deliveries at once"),
    ):
        sub.add_parser(name, help=text).add_argument("id", help="the subscription number")
    replay = sub.add_parser("replay", help="queue deliveries again")
    replay.add_argument("--subscription", required=True, help="the subscription number")
    replay.add_argument("--since", help='events recorded since "dd/mm/yyyy HH:MM" (Vietnam)')
    replay.add_argument("--delivery", help="one delivery, by its number")
    log = sub.add_parser("log", help="the latest deliveries of a subscription and their attempts")
    log.add_argument("id", help="the subscription number")
    log.add_argument("--limit", default="20", help="how many deliveries (default 20)")


def _refused(error: webhooks.WebhookError) -> CommandError:
    option = OPTION_OF_FIELD.get(error.field or "", error.field or "")
    return CommandError(f"{option}: {error.message}" if option else error.message)


def handle(command: BaseCommand, action: str, options: dict[str, Any]) -> None:
    """Run ``motcua api webhooks <action>``."""
    out = command.stdout
    try:
        if action == "create":
            subscription, secret = webhooks.subscription_create(
                client_id=options["client"],
                target_url=options["url"],
                unit_codes=options["unit"],
                kinds=options["kind"],
            )
            out.write(
                _("Created webhook subscription %(id)s. The secret is shown once; keep it safe.")
                % {"id": subscription.pk}
            )
            out.write(f"id: {subscription.pk}")
            out.write(f"secret: {secret}")
        elif action == "list":
            _list(command, options.get("client"))
        elif action == "rotate":
            secret = webhooks.subscription_rotate(subscription_id=options["id"])
            out.write(_("New secret (shown once); the previous one signs too for a while:"))
            out.write(f"secret: {secret}")
        elif action == "disable":
            found = webhooks.subscription_disable(subscription_id=options["id"])
            out.write(_("Disabled %(subscription)s.") % {"subscription": found})
        elif action == "enable":
            found = webhooks.subscription_enable(subscription_id=options["id"])
            out.write(_("Enabled %(subscription)s.") % {"subscription": found})
        elif action == "replay":
            since = None
            if options.get("since"):
                try:
                    since = parse_moment(options["since"], LOCAL_TZ)
                except ValueError:
                    raise CommandError(
                        _("--since: %(value)r is not a date and time (dd/mm/yyyy HH:MM)")
                        % {"value": options["since"]}
                    ) from None
            count = webhooks.webhooks_replay(
                subscription_id=options["subscription"],
                since=since,
                delivery_id=options.get("delivery"),
            )
            out.write(_("Queued %(count)d deliveries again.") % {"count": count})
        elif action == "log":
            _log(command, options["id"], options["limit"])
    except webhooks.WebhookError as error:
        raise _refused(error) from None


def _list(command: BaseCommand, client_id: str | None) -> None:
    rows = WebhookSubscription.objects.select_related("client").prefetch_related("units")
    if client_id:
        rows = rows.filter(client__client_id=client_id)
    for row in rows.order_by("pk"):
        units = ",".join(sorted(u.code for u in row.units.all())) or "*"
        kinds = ",".join(row.kinds) or "*"
        command.stdout.write(
            f"{row.pk}  {row.client.client_id}  {row.target_url}  [{row.state}]  "
            f"{_('units')}: {units}  {_('kinds')}: {kinds}"
        )


def _log(command: BaseCommand, subscription_id: str, limit: str) -> None:
    try:
        count = int(limit)
    except ValueError:
        count = 0
    if not 1 <= count <= 1000:
        raise CommandError(_("--limit: a whole number from 1 to 1000"))
    if not subscription_id.isdigit():
        raise CommandError(_("ID: a subscription number"))
    deliveries = (
        WebhookDelivery.objects.filter(subscription_id=int(subscription_id))
        .prefetch_related("log")
        .order_by("-pk")[:count]
    )
    for delivery in deliveries:
        command.stdout.write(
            f"{delivery.pk}  {delivery.message_id}  [{delivery.state}]  "
            f"{_('attempts')}: {delivery.attempts}  "
            f"{_('next')}: {format_moment(delivery.next_attempt_at)}"
        )
        for attempt in delivery.log.all():
            command.stdout.write(
                f"    {format_moment(attempt.at)}  {attempt.status or '-'}  "
                f"{attempt.duration_ms} ms  {attempt.error}"
            )
