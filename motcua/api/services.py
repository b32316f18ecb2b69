"""Writes of the API app: machine clients, their tokens, the call log (one transaction each).

The interface other apps and helpers use:

- :func:`client_create` / :func:`client_update` / :func:`client_revoke` /
  :func:`client_rotate` (the CLI
  ``motcua api clients``, the demo's client);
- :func:`token_issue` (``POST /api/v1/oauth/token``);
- :func:`call_record`, :func:`calls_prune` (the API's view wrapper; the daily housekeeping).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.api import tokens
from motcua.api.choices import CLIENT_ROLES, Scope
from motcua.api.conf import api_int
from motcua.api.errors import ApiClientError, CredentialsRefused, ScopeRefused
from motcua.api.models import ApiCall, ApiClient
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_versions, valid_on

NAME_MAX = 200
RATE_MAX = 100_000
# Deleting old calls a slice at a time keeps each statement (and its lock) short.
PRUNE_BATCH = 10_000


def _scopes(values: Sequence[str]) -> list[str]:
    if not values:
        raise ApiClientError(_("give at least one scope"), field="scope")
    known = {s.value for s in Scope}
    for value in values:
        if value not in known:
            raise ApiClientError(
                _("unknown scope %(scope)s; the scopes are: %(known)s")
                % {"scope": value, "known": ", ".join(sorted(known))},
                field="scope",
            )
    return sorted(set(values))


def _roles(values: Sequence[str]) -> list[str]:
    allowed = {r.value for r in CLIENT_ROLES}
    for value in values:
        if value not in allowed:
            raise ApiClientError(
                _("a machine client acts as %(allowed)s, not %(role)s")
                % {"allowed": ", ".join(sorted(allowed)), "role": value},
                field="role",
            )
    return sorted(set(values)) or [Role.CLERK.value]


def _units(codes: Sequence[str], on: date) -> list[AdministrativeUnit]:
    """The unit carrying each code on ``on``, else the last one that carried it (an abolished
    unit still has its dossiers and figures: the dashboard's rule, ``unit_in_period``)."""
    found = []
    for code in dict.fromkeys(c.strip() for c in codes):
        unit = None
        if code and "\x00" not in code and len(code) <= 20:
            unit = AdministrativeUnit.objects.filter(valid_on(on), code=code).first()
            if unit is None:
                unit = unit_versions(code).filter(valid_from__lte=on).last() or (
                    unit_versions(code).filter(valid_from__isnull=True).last()
                )
        if unit is None:
            raise ApiClientError(
                _("no administrative unit with code %(code)s") % {"code": code}, field="unit"
            )
        found.append(unit)
    return found


# Scopes that read or act within units: a client holding one needs at least one unit.
UNIT_BOUND_SCOPES = frozenset(
    {Scope.DOSSIERS_READ, Scope.DOSSIERS_ACT, Scope.DOSSIERS_SUBMIT, Scope.FIGURES_READ}
)


def _check_units_for(scopes: Sequence[str], units: Sequence[AdministrativeUnit]) -> None:
    if not units and UNIT_BOUND_SCOPES & set(scopes):
        raise ApiClientError(
            _("a client reading or acting on dossiers or figures needs at least one unit"),
            field="unit",
        )


def _rate(rate: int) -> int:
    if not 1 <= rate <= RATE_MAX:
        raise ApiClientError(
            _("the rate limit is 1 to %(most)d calls a minute") % {"most": RATE_MAX}, field="rate"
        )
    return rate


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _new_client_id() -> str:
    return "mcl_" + secrets.token_hex(10)


@transaction.atomic
def client_create(
    *,
    name: str,
    scopes: Sequence[str],
    unit_codes: Sequence[str] = (),
    roles: Sequence[str] = (),
    rate_per_minute: int | None = None,
    now: datetime | None = None,
    client_id: str | None = None,
    secret: str | None = None,
    demo: bool = False,
) -> tuple[ApiClient, str]:
    """A new machine client and its secret (shown once: only its hash is kept).

    Its service account holds ``roles`` (default: clerk) in each unit of ``unit_codes`` (the
    unit carrying the code today, else the last one that carried it), so ``accounts.access``
    treats it as a person with those grants. ``client_id`` and ``secret`` are chosen only for
    the demo's documented client.
    """
    now = now or timezone.now()
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ApiClientError(
            _("give a name of 1 to %(most)d characters") % {"most": NAME_MAX}, field="name"
        )
    scope_list = _scopes(scopes)
    role_list = _roles(roles)
    units = _units(unit_codes, timezone.localdate(now))
    _check_units_for(scope_list, units)
    rate = _rate(rate_per_minute if rate_per_minute is not None else api_int("RATE_PER_MINUTE"))
    client_id = client_id or _new_client_id()
    if ApiClient.objects.filter(client_id=client_id).exists():
        raise ApiClientError(_("client id %(id)s exists") % {"id": client_id}, field="client_id")
    secret = secret or _new_secret()
    user = User(username=f"api-{client_id}", full_name=name[:200], is_active=True)
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role, unit=unit) for role in role_list for unit in units
    )
    client = ApiClient.objects.create(
        name=name,
        client_id=client_id,
        secret_hash=make_password(secret),
        scopes=scope_list,
        roles=role_list,
        grant=tokens.grant_digest([u.pk for u in units], role_list),
        user=user,
        rate_per_minute=rate,
        active=True,
        not_before=now,
        created_at=now,
        demo=demo,
    )
    client.units.set(units)
    return client, secret


def client_get(client_id: str) -> ApiClient:
    """The client with ``client_id``; ``ApiClientError`` naming ``client_id`` if none."""
    client = ApiClient.objects.filter(client_id=client_id.strip()).select_related("user").first()
    if client is None:
        raise ApiClientError(_("no API client %(id)s") % {"id": client_id}, field="client_id")
    return client


@transaction.atomic
def client_revoke(*, client_id: str, now: datetime | None = None) -> ApiClient:
    """Revokes a client: its live tokens stop working at once, no new ones are issued, and
    its service account is deactivated. Not undone (create a new client)."""
    now = now or timezone.now()
    client = client_get(client_id)
    client.active = False
    client.revoked_at = client.revoked_at or now
    client.not_before = now
    client.save(update_fields=["active", "revoked_at", "not_before"])
    User.objects.filter(pk=client.user_id).update(is_active=False)
    return client


@transaction.atomic
def client_update(
    *,
    client_id: str,
    scopes: Sequence[str] | None = None,
    unit_codes: Sequence[str] | None = None,
    roles: Sequence[str] | None = None,
    rate_per_minute: int | None = None,
    now: datetime | None = None,
) -> ApiClient:
    """Changes an active client's scopes, units, roles or rate (None keeps each as it is).

    New units or roles replace the service account's grants and change the client's grant
    digest, so tokens issued before stop working (``auth.BearerToken``); fewer scopes apply to
    live tokens at once (a token's scopes are cut to the client's on every call).
    """
    now = now or timezone.now()
    client = ApiClient.objects.select_for_update().filter(client_id=client_id.strip()).first()
    if client is None:
        raise ApiClientError(_("no API client %(id)s") % {"id": client_id}, field="client_id")
    if not client.active:
        raise ApiClientError(
            _("API client %(id)s is revoked") % {"id": client.client_id}, field="client_id"
        )
    scope_list = _scopes(scopes) if scopes is not None else list(client.scopes)
    role_list = _roles(roles) if roles is not None else list(client.roles)
    units = (
        _units(unit_codes, timezone.localdate(now))
        if unit_codes is not None
        else list(client.units.all())
    )
    _check_units_for(scope_list, units)
    if rate_per_minute is not None:
        client.rate_per_minute = _rate(rate_per_minute)
    grant = tokens.grant_digest([u.pk for u in units], role_list)
    if grant != client.grant:
        RoleAssignment.objects.filter(user_id=client.user_id).delete()
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user_id=client.user_id, role=role, unit=unit)
            for role in role_list
            for unit in units
        )
        client.units.set(units)
    client.scopes, client.roles, client.grant = scope_list, role_list, grant
    client.save(update_fields=["scopes", "roles", "grant", "rate_per_minute"])
    return client


@transaction.atomic
def client_rotate(*, client_id: str, now: datetime | None = None) -> tuple[ApiClient, str]:
    """A new secret for an active client (shown once); tokens issued before stop working."""
    now = now or timezone.now()
    client = client_get(client_id)
    if not client.active:
        raise ApiClientError(
            _("API client %(id)s is revoked") % {"id": client.client_id}, field="client_id"
        )
    secret = _new_secret()
    client.secret_hash = make_password(secret)
    client.not_before = now
    client.save(update_fields=["secret_hash", "not_before"])
    return client, secret


# A hash checked when the client id is unknown, so that a wrong id and a wrong secret take
# the same time (no way to list client ids by timing).
_DUMMY_HASH: str | None = None


def client_authenticate(*, client_id: str, secret: str) -> ApiClient:
    """The active client whose id and secret these are; ``CredentialsRefused`` otherwise
    (the same refusal for an unknown id, a wrong secret and a revoked client)."""
    global _DUMMY_HASH
    client = (
        ApiClient.objects.filter(client_id=client_id).select_related("user").first()
        if client_id and len(client_id) <= 40 and "\x00" not in client_id
        else None
    )
    if client is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = make_password(_new_secret())
        check_password(secret, _DUMMY_HASH)
        ok = False
    else:
        # The demo's client has documented credentials: never valid in production.
        usable = client.active and not (client.demo and settings.PRODUCTION)
        ok = check_password(secret, client.secret_hash) and usable
    if client is None or not ok:
        raise CredentialsRefused(_("wrong client id or secret"), field="client_id")
    return client


def token_issue(
    *, client: ApiClient, scopes: Sequence[str] | None = None, now: datetime | None = None
) -> tuple[str, tokens.TokenClaims]:
    """A bearer token for ``client``, with ``scopes`` (a subset of the client's; all of them
    when None), valid ``MOTCUA_API["TOKEN_SECONDS"]``."""
    now = now or timezone.now()
    held = set(client.scopes)
    wanted = set(scopes) if scopes else held
    missing = sorted(wanted - held)
    if missing:
        raise ScopeRefused(
            _("this client does not hold the scope %(scope)s") % {"scope": ", ".join(missing)},
            field="scope",
        )
    return tokens.issue(
        client_id=client.client_id,
        scopes=wanted,
        grant=client.grant,
        now=now,
        seconds=api_int("TOKEN_SECONDS"),
    )


def client_touch(client: ApiClient, now: datetime) -> None:
    """Notes that ``client`` called, at most once a minute (one UPDATE, not one per call)."""
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def call_record(
    *,
    client_id: int | None,
    user_id: int | None,
    route: str,
    method: str,
    status: int,
    outcome: str,
    duration_ms: int,
    at: datetime,
) -> None:
    """Logs one call of the API (every call, refusals included)."""
    ApiCall.objects.create(
        client_id=client_id,
        user_id=user_id,
        route=route[:100],
        method=method[:10],
        status=status,
        outcome=outcome[:40],
        duration_ms=max(0, duration_ms),
        at=at,
    )


def calls_prune(*, now: datetime) -> int:
    """Deletes the calls logged more than ``MOTCUA_API["LOG_DAYS"]`` days ago, a slice at a
    time; returns how many (the daily housekeeping's step)."""
    before = now - timedelta(days=api_int("LOG_DAYS"))
    total = 0
    while True:
        ids = list(ApiCall.objects.filter(at__lt=before).values_list("pk", flat=True)[:PRUNE_BATCH])
        if not ids:
            return total
        deleted, _by_model = ApiCall.objects.filter(pk__in=ids).delete()
        total += deleted
