"""Every page fits a 390 px phone: no sideways scrolling of the page (issue 10, item 9, and
"Pages overflow a 390 px phone"); wide tables scroll inside their own box, and a word longer
than the screen (a 10.000-character applicant name, item 8) breaks instead of widening the
dossier page.

Each demo role signs in through the form in the system Chromium at 390×844 and opens each of
its pages (``motcua.lib.tests.pages.PAGES``, the one list to append new pages to);
``document.documentElement.scrollWidth <= clientWidth`` must hold on each. Data: the Bắc Kạn
2024 scenario and the demo's accounts, once for the module inside a transaction; one test,
because a ``live_server`` test flushes the tables when it ends (docs/dashboard.md).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest

from motcua.demo.services import DEMO_PASSWORD
from motcua.dossiers.models import Dossier
from motcua.lib.tests.pages import PAGES, Follow, Page
from motcua.lib.tests.pages import demo_site as demo_site  # noqa: F401 (the fixture)

PHONE = {"width": 390, "height": 844}
FITS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def address(page: Any, base: str, where: str | Follow) -> str:
    """The page's address; a ``Follow`` opens its page and takes the first matching link."""
    if isinstance(where, str):
        return where
    source = address(page, base, where.page)
    page.goto(base + source)
    links = page.eval_on_selector_all(
        "main a[href], #content a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    for link in links:
        if re.search(where.pattern, link):
            return str(link)
    text = page.inner_text("main")[:600]
    raise AssertionError(f"no link matching {where.pattern} on {source}: {text}")


def fits(page: Any) -> tuple[bool, int]:
    scroll_width, client_width = page.evaluate(FITS)
    return scroll_width <= client_width, scroll_width


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
def test_every_page_fits_a_phone_for_every_role(
    demo_site, live_server, browser, browser_context_args, log_in
):
    base = live_server.url
    roles: dict[str, list[Page]] = {}
    for entry in PAGES:
        roles.setdefault(entry.role, []).append(entry)
    overflowing = []
    violations: list[str] = []
    dossier_url, dossier_role = "", ""
    for role, entries in roles.items():
        context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
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
            expected = 404 if entry.name == "not-found" else 200
            assert response.status == expected, f"{entry.name} ({url}): {response.status}"
            # The same visit checks the Content-Security-Policy (issue 16): the header is
            # there, nothing is blocked, the layout's nonce'd script and the chart ran.
            assert "content-security-policy" in response.headers, url
            page.wait_for_load_state("load")
            violations += [f"{entry.name} ({url}): {line}" for line in seen]
            if not entry.name.startswith("admin"):
                assert page.evaluate("() => document.documentElement.classList.contains('js')")
            if entry.name == "dashboard":
                drawn = page.evaluate(
                    "() => typeof Chart === 'function' && [...document.querySelectorAll('canvas')]"
                    ".some(c => Chart.getChart(c) !== undefined)"
                )
                assert drawn, "the dashboard's chart was not drawn"
            ok, width = fits(page)
            if not ok:
                overflowing.append(f"{entry.name} ({url}) as {role or 'visitor'}: {width} px")
            if entry.name == "dossier":
                dossier_url, dossier_role = url, role
        context.close()
    assert not overflowing, "pages wider than a 390 px phone:\n" + "\n".join(overflowing)
    assert not violations, "\n".join(violations)

    # The long-word case: an applicant name that is one 10.000-character word (as long as
    # the column holds), on the dossier page and in the lists that show it.
    assert dossier_url, "the dossier page was not visited"
    code = unquote(dossier_url.rstrip("/").rsplit("/", 1)[1])
    longest = Dossier._meta.get_field("applicant_name").max_length or 10_000
    word = "Nguyễn" + "A" * (min(10_000, longest) - len("Nguyễn"))
    Dossier.objects.filter(code=code).update(applicant_name=word)
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    log_in(page, dossier_role, DEMO_PASSWORD)
    page.goto(base + dossier_url)
    assert word in page.content()
    ok, width = fits(page)
    assert ok, f"the dossier page is {width} px wide with a long name"
    # Nothing sticks out of the screen outside a box that scrolls on its own either.
    widest = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('main *')]
             .filter(e => !e.closest('.table-scroll, .table-wrap'))
             .map(e => e.getBoundingClientRect().right))"""
    )
    assert widest <= PHONE["width"], f"an element of the dossier page reaches {widest} px"
    context.close()
