"""The abuse suite's fixtures: the small world (tests/abuse/world.py) once per module, a
signed-in test client per role, the forms each role's pages offer, and the hypothesis
settings.

The fuzz is reproducible by default (``derandomize``: the same examples on every run, in CI
and on a laptop) and small (a few examples per address and role). Two variables make it
explore: ``MOTCUA_FUZZ_EXAMPLES=200`` (examples per address and role) and
``MOTCUA_FUZZ_RANDOM=1`` (fresh random examples each run; ignored under ``CI=true``).
No server is started: the test client calls the application in-process, so nothing leaves
127.0.0.1.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings

from .probe import Form, FuzzClient, forms_on
from .surface import Route, all_routes
from .world import ROLES, World, build_world

CI = os.environ.get("CI") == "true"
EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES") or 0)
RANDOM = os.environ.get("MOTCUA_FUZZ_RANDOM") == "1" and not CI


def fuzz_settings(default: int) -> settings:
    """``default`` examples (or MOTCUA_FUZZ_EXAMPLES), no deadline (a PDF takes what it
    takes; time limits are measured in bench/, never asserted), derandomized unless asked,
    and no example database written into the working tree."""
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


@dataclass
class Surface:
    world: World
    clients: dict[str, FuzzClient]
    # Forms found on the role's pages, by the route they post to.
    forms: dict[tuple[str, str], list[Form]] = field(default_factory=dict)


def _client(world: World, role: str) -> FuzzClient:
    from motcua.portal.views import SUBMITTED, TRACKED

    client = FuzzClient()
    user = world.users[role]
    if user is not None:
        client.force_login(user, backend="motcua.accounts.backends.StaffBackend")
    else:
        # A visitor who tracked a dossier and just submitted one (their pages then exist).
        session = client.session
        session[TRACKED] = [world.tracked_code]
        session[SUBMITTED] = {"abc": {"code": world.tracked_code, "secret": "", "warnings": []}}
        session.save()
    return client


def plausible_paths(route: Route, world: World, limit: int = 8) -> list[str]:
    """Addresses of ``route`` built only from values that exist in the world."""
    choices = []
    for name, kind, options in route.params:
        if kind == "choice":
            choices.append(list(options)[:3])
        else:
            choices.append(world.values_for(route.route, name)[:limit])
    if any(not c for c in choices):
        return []
    combos = itertools.islice(itertools.product(*choices), limit)
    return [
        route.path(dict(zip([p[0] for p in route.params], combo, strict=True))) for combo in combos
    ]


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


# Pages that hold no form of their own: downloads, the JSON API, the reports (their only
# forms, the sign-out and the language switch, are on every other page too).
NO_FORMS = re.compile(r"\.(pdf|xlsx|csv)$|/in/|/tep/|minh-chung|ket-qua|xuat-xlsx|api/|^bao-cao/")


def harvest(surface: Surface, routes: list[Route]) -> None:
    """GET the pages each role can open (with existing values) and keep their forms."""
    for role, client in surface.clients.items():
        for route in routes:
            if route.admin and (role != "admin" or not route.name.endswith(("_add", "_change"))):
                continue
            if NO_FORMS.search(route.route):
                continue
            for path in plausible_paths(route, surface.world, limit=2):
                started = time.perf_counter()
                response = client.get(path)
                if os.environ.get("MOTCUA_FUZZ_DEBUG"):
                    print(f"{time.perf_counter() - started:.3f} {role} {path}")  # noqa: T201
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                for form in forms_on(path, response.content.decode("utf-8", "replace")):
                    target = route_of(form.action)
                    if target is not None:
                        surface.forms.setdefault((target, role), []).append(form)


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(scope="module", autouse=True)
def loopback_only() -> Iterator[None]:
    """The abuse suite talks to nothing but this machine: a connection to any other address
    (an e-mail server, a web service a view might call) fails the test."""
    real = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            assert host in LOOPBACK, f"the abuse suite tried to connect to {address}"
        return real(self, address)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        yield


@pytest.fixture(scope="module")
def surface(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The world, a client per role and the forms of their pages, once for the module
    (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        built = Surface(world, {role: _client(world, role) for role in ROLES})
        harvest(built, all_routes())
        # The world's deferred foreign keys checked once here, not again at every test's end
        # (conftest.py, Snapshots._settle).
        if connection.vendor == "postgresql":
            connection.check_constraints()
        yield built
        transaction.set_rollback(True)
