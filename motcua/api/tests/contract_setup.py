"""Prepares the live server's database for the contract test (``test_contract.py``), run as
its own process: ``python -m motcua.api.tests.contract_setup``. Migrates, builds the small
dossier world with a few dossiers in several states and a component to submit online, and
creates the demo machine client (every scope but webhooks', the city's units, a high rate). Prints
the client's id and secret as JSON."""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from motcua.api.choices import Scope
    from motcua.api.services import RATE_MAX, client_create
    from motcua.catalog.models import ComponentRequirement
    from motcua.core import workflow
    from motcua.dossiers.choices import Channel
    from motcua.dossiers.tests.world import build_world

    with transaction.atomic():
        world = build_world()
        ComponentRequirement.objects.create(
            version=world.procedure, position=1, name="Tờ khai", originals=1
        )
        for day in range(2, 6):
            dossier = world.create(at=f"{day:02d}/01/2024 08:00")
            if day % 2:
                world.take(dossier, workflow.Action.TRANSFER, f"{day:02d}/01/2024 09:00",
                           actor=world.clerk)  # fmt: skip
        world.create(channel=Channel.ONLINE, at="08/01/2024 08:00")
        client, secret = client_create(
            name="Contract test",
            scopes=[s.value for s in Scope if s != Scope.WEBHOOKS_MANAGE],
            unit_codes=["058"],
            roles=["clerk", "officer"],
            rate_per_minute=RATE_MAX,
        )
    json.dump({"client_id": client.client_id, "secret": secret}, sys.stdout)


if __name__ == "__main__":
    main()
