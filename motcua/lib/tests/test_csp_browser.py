"""Every page of the page list works under the Content-Security-Policy in a real browser
(issue 16, "Strict headers and sessions"): the system Chromium reports no CSP violation and no
script error on any page of any role, and the scripts that were inline before (the phone menu,
the dashboard's chart, the submission form's double-click guard) still run.

Data: the Bắc Kạn 2024 scenario and the demo's accounts, once for the module inside a
transaction; one test, because a ``live_server`` test flushes the tables when it ends.
"""

from __future__ import annotations

from typing import Any

import pytest

from motcua.demo.services import DEMO_PASSWORD
from motcua.lib.tests.pages import PAGES, Page
from motcua.lib.tests.test_phone_layout import address, demo_site  # noqa: F401 (fixture)

DESKTOP = {"width": 1366, "height": 900}


def watch(page: Any, seen: list[str]) -> None:
    """Collects what the browser says about the policy and any uncaught script error."""
    page.on(
        "console",
        lambda message: (
            seen.append(f"console {message.type}: {message.text}")
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    # Violations the console might word differently are caught as events too.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )


@pytest.mark.django_db(transaction=True)
def test_no_page_violates_the_content_security_policy(
    demo_site,  # noqa: F811
    live_server,
    browser,
    browser_context_args,
    log_in,
):
    base = live_server.url
    roles: dict[str, list[Page]] = {}
    for entry in PAGES:
        roles.setdefault(entry.role, []).append(entry)
    violations: list[str] = []
    checked = 0
    for role, entries in roles.items():
        context = browser.new_context(**{**browser_context_args, "viewport": DESKTOP})
        page = context.new_page()
        seen: list[str] = []
        watch(page, seen)
        if role:
            log_in(page, role, DEMO_PASSWORD)
            assert "/dang-nhap/" not in page.url, f"{role} could not sign in"
        for entry in entries:
            url = address(page, base, entry.where)
            seen.clear()
            response = page.goto(base + url)
            assert response is not None
            assert "content-security-policy" in response.headers, url
            page.wait_for_load_state("load")
            violations += [f"{entry.name} ({url}): {line}" for line in seen]
            checked += 1
            if not entry.name.startswith("admin"):
                # The layout's nonce'd script ran (the admin has its own layout).
                assert page.evaluate("() => document.documentElement.classList.contains('js')")
            if entry.name == "dashboard":
                assert page.evaluate("() => typeof Chart") == "function"
                drawn = page.evaluate(
                    "() => [...document.querySelectorAll('canvas')]"
                    ".some(c => Chart.getChart(c) !== undefined)"
                )
                assert drawn, "the dashboard's chart was not drawn"
        context.close()
    assert checked == len(PAGES)
    assert not violations, "\n".join(violations)
