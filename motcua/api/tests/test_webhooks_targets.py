"""Webhooks without a database: the signature a receiver checks, and the SSRF rule for
targets (as in production: private addresses refused)."""

from __future__ import annotations

import time

import pytest

from motcua.api import webhooks


def test_signature_verify_refuses_what_it_should():
    body = b'{"a":1}'
    now = int(time.time())
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(now),
        "Webhook-Signature": webhooks.signature("whsec_x", "msg_1", now, body.decode()),
    }
    assert webhooks.signature_verify("whsec_x", headers, body, now=now)
    assert not webhooks.signature_verify("whsec_y", headers, body, now=now)
    assert not webhooks.signature_verify("whsec_x", headers, b'{"a":2}', now=now)
    assert not webhooks.signature_verify("whsec_x", headers, body, now=now + 3600)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("ftp://example.org/x", False),
        ("http://user:pw@93.184.216.34/", False),
        ("javascript:alert(1)", False),
        ("http://", False),
        ("http://127.0.0.1:8000/hook", False),
        ("http://10.1.2.3/hook", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("http://[::1]/hook", False),
        ("http://[::ffff:192.168.1.1]/hook", False),
        ("https://93.184.216.34/hook", True),
    ],
)
def test_targets_ssrf_rule_in_production(settings, url, allowed):
    settings.MOTCUA_WEBHOOKS = {**settings.MOTCUA_WEBHOOKS, "ALLOW_PRIVATE": False}
    if allowed:
        assert webhooks.target_check(url).address == "93.184.216.34"
    else:
        with pytest.raises(webhooks.WebhookError) as refused:
            webhooks.target_check(url)
        assert refused.value.field == "url"
