"""What the app believes about a request and its keys (issue 15, "A serving stack"): the client
address and the forwarded scheme and host only from configured proxies
(motcua.lib.clientip), reads routed to the replica only where lag is harmless
(motcua.lib.dbrouter), and a rotated SECRET_KEY still verifying what its predecessor signed
(SECRET_KEY_FALLBACKS)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connections
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from motcua.accounts.throttle import client_ip as throttle_client_ip
from motcua.catalog.models import Field
from motcua.lib import clientip, dbrouter
from motcua.ops.tests.nginx import ROOT
from motcua.portal.views import _client_ip as portal_client_ip

factory = RequestFactory()


def request(remote: str, forwarded: str | None = None, **extra: str):
    meta = {"REMOTE_ADDR": remote, **extra}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **meta)


@override_settings(MOTCUA_TRUSTED_PROXIES=["10.0.0.5", "10.1.0.0/16"])
def test_forwarded_for_from_an_untrusted_address_is_ignored():
    spoofed = request("198.51.100.7", "203.0.113.9")
    assert clientip.client_ip(spoofed) == "198.51.100.7"
    # Every limit reads the same rule.
    assert throttle_client_ip(spoofed) == "198.51.100.7"
    assert portal_client_ip(spoofed) == "198.51.100.7"


@override_settings(MOTCUA_TRUSTED_PROXIES=["10.0.0.5", "10.1.0.0/16"])
def test_forwarded_for_from_a_trusted_proxy_names_the_client():
    assert clientip.client_ip(request("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    # The client's own header comes first; nginx's address for it is the right-most.
    assert clientip.client_ip(request("10.0.0.5", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Two trusted hops (a load balancer, then nginx): the first untrusted from the right.
    assert clientip.client_ip(request("10.0.0.5", "203.0.113.9, 10.1.2.3")) == "203.0.113.9"
    # Nothing or garbage forwarded: the proxy itself.
    assert clientip.client_ip(request("10.0.0.5")) == "10.0.0.5"
    assert clientip.client_ip(request("10.0.0.5", "1.2.3.4, not-an-ip")) == "10.0.0.5"
    assert clientip.client_ip(request("not-an-ip", "1.2.3.4")) == clientip.UNKNOWN


@override_settings(MOTCUA_TRUSTED_PROXIES=[])
def test_no_trusted_proxy_trusts_no_header():
    assert clientip.client_ip(request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"


@override_settings(MOTCUA_TRUSTED_PROXIES=["10.0.0.5"])
def test_forwarded_scheme_and_host_dropped_unless_from_a_trusted_proxy():
    seen = {}

    def view(req):
        seen.update({k: v for k, v in req.META.items() if k.startswith("HTTP_X_FORWARDED")})
        return HttpResponse()

    middleware = clientip.ForwardedHeadersMiddleware(view)
    headers = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example",
    }
    middleware(request("198.51.100.7", "203.0.113.9", **headers))
    assert seen == {}
    middleware(request("10.0.0.5", "203.0.113.9", **headers))
    assert seen == {
        "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example",
    }


# -- the replica router ----------------------------------------------------------------------

REPLICA_DATABASES = {"default": {}, "replica": {}}


def test_router_without_a_replica_reads_the_primary():
    router = dbrouter.ReplicaRouter()
    with dbrouter.replica_reads():
        assert router.db_for_read(Field) == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_router_reads_the_replica_only_where_asked_and_never_after_a_write(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": {}}
    primary = connections["default"]
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(Field) == "default"
    with dbrouter.replica_reads():
        assert router.db_for_read(Field) == "replica"
        # Who is signed in: always the primary.
        assert router.db_for_read(Session) == "default"
        # Inside a transaction on the primary (a service's atomic block), the primary.
        primary.in_atomic_block = True
        try:
            assert router.db_for_read(Field) == "default"
        finally:
            primary.in_atomic_block = False
        assert router.db_for_read(Field) == "replica"
        assert router.db_for_write(Field) == "default"
        # The request wrote: it reads its own write from the primary from now on.
        assert router.db_for_read(Field) == "default"
    assert router.db_for_read(Field) == "default"
    assert router.allow_migrate("replica", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True


# -- SECRET_KEY_FALLBACKS --------------------------------------------------------------------

OLD_KEY = "old-key-" + "o" * 50
NEW_KEY = "new-key-" + "n" * 50


def test_fallback_keys_are_read_from_the_environment_or_a_file(tmp_path):
    keys = tmp_path / "fallbacks"
    keys.write_text(f"{OLD_KEY}\nolder-key-{'x' * 50}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_DATA_DIR=str(tmp_path),
        MOTCUA_SECRET_KEY_FALLBACKS_FILE=str(keys),
    )
    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr([OLD_KEY, f"older-key-{'x' * 50}"])


@pytest.mark.django_db
def test_after_rotation_old_signatures_and_sessions_still_verify(django_user_model):
    user = django_user_model.objects.create_user(username="lan", password="pw-lan-12345")
    during, after = Client(), Client()
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        signed = signing.dumps({"dossier": "H08.22-240101-0001"})
        during.force_login(user)
        after.force_login(user)
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        assert signing.loads(signed) == {"dossier": "H08.22-240101-0001"}
        # A session signed in before the rotation is still signed in (and re-keyed).
        assert during.get("/dang-nhap/").wsgi_request.user == user
        # New signatures use the new key only.
        assert signing.loads(signing.dumps("x"), fallback_keys=[]) == "x"
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        # Once the old key leaves the fallbacks, what only it signed no longer verifies: a
        # session not seen during the rotation is signed out, one seen was re-keyed.
        with pytest.raises(signing.BadSignature):
            signing.loads(signed)
        assert not after.get("/dang-nhap/").wsgi_request.user.is_authenticated
        assert during.get("/dang-nhap/").wsgi_request.user == user
