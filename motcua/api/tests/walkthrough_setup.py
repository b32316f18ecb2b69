"""Prepares the live server's database for the walkthrough test (``test_walkthrough.py``),
run as its own process: ``python -m motcua.api.tests.walkthrough_setup``. Migrates, builds the
small dossier world with dossiers received at the ward's desk (and one elsewhere), and a
machine client of the ward as the demo's is (clerk; reads and acts). Prints its id and secret
as JSON."""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from motcua.api.services import RATE_MAX, client_create
    from motcua.dossiers.tests.world import build_world

    with transaction.atomic():
        world = build_world()
        for minute in (0, 10):
            world.create(
                at=f"02/01/2024 08:{minute:02d}",
                receiving_agency=world.ward_desk,
                actor=world.ward_clerk,
            )
        world.create(
            at="02/01/2024 08:20", receiving_agency=world.other_desk, actor=world.other_clerk
        )
        client, secret = client_create(
            name="Walkthrough",
            scopes=["dossiers:read", "dossiers:act"],
            unit_codes=["01840"],
            roles=["clerk"],
            rate_per_minute=RATE_MAX,
        )
    json.dump({"client_id": client.client_id, "secret": secret}, sys.stdout)


if __name__ == "__main__":
    main()
