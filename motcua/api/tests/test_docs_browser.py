"""The API's docs page (/api/v1/docs) in a real browser: Swagger UI, vendored (no request leaves
127.0.0.1: the ``context`` fixture), renders the operations under the site's
Content-Security-Policy with no violation."""

from __future__ import annotations

from playwright.sync_api import expect


def test_docs_page_lists_the_operations(live_server, page):
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/api/v1/docs")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible(timeout=15_000)
    paths = operations.all_inner_texts()
    assert any("/api/v1/oauth/token" in p for p in paths), paths
    assert any("/api/v1/units" in p for p in paths), paths
    # Opening an operation works (the UI's own scripts run under the policy).
    page.locator(".opblock-summary", has_text="/api/v1/oauth/token").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
