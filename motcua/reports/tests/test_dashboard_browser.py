"""The dashboard in a real browser: the system Chromium driven by Playwright against the live
server. The city's leader signs in through the form, reads the seed's figures, sees the chart
drawn by the vendored Chart.js, opens the five late dossiers behind "quá hạn 05", switches to
English, signs out; a ward's clerk then cannot open the city.

Data: the Bắc Kạn 2024 scenario and the demo's accounts, loaded once for the module inside a
transaction. The live server's thread sees them because pytest-django hands it SQLite's
shared in-memory test connection. A ``live_server`` test is transactional, and it flushes the
tables when it ends (inside the module's transaction, which the module's rollback undoes), so
this module has one test that goes through the whole story (docs/dashboard.md).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from playwright.sync_api import expect

from motcua.core.metrics import Bucket, Period
from motcua.demo.services import DEMO_PASSWORD
from motcua.lib.tests.pages import demo_site as demo_site  # noqa: F401 (the fixture)
from motcua.reports.dashboard import monthly_trend
from motcua.reports.selectors import report_drill_down
from motcua.units.selectors import unit_at

SEED = "/bao-cao/?unit=058&from=01/01/2024&to=22/05/2024"
SEED_PERIOD = Period(date(2024, 1, 1), date(2024, 5, 22))
# The seed README's figures, as the page must show them.
HEADLINE = {
    "received": "1.608",
    "received_online": "1.342",
    "received_direct": "266",
    "resolved": "1.604",
    "resolved_in_time": "1.599",
    "resolved_late": "05",
    "pending": "43",
}
RATES = {"paid_online": "33,84%", "digitised": "77%", "e_certified": "25%", "satisfied": "100%"}
COVERAGE = {"district": "73,54%", "commune": "65,79%"}


def test_a_leader_reads_the_seed_figures_and_a_ward_clerk_cannot_open_the_city(
    demo_site, live_server, page, log_in
):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    # Signing in through the form leads to the page asked for.
    log_in(page, "lanhdao.thanhpho", DEMO_PASSWORD, next=SEED)
    expect(page).to_have_url(f"{live_server.url}{SEED}")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # The headline: the seed's figures, in Vietnamese number format.
    for key, text in HEADLINE.items():
        expect(page.locator(f'#headline [data-headline="{key}"]')).to_have_text(text)
    for key, text in RATES.items():
        expect(page.locator(f'[data-rate="{key}"] [data-rate-text]')).to_have_text(text)
    for level, text in COVERAGE.items():
        expect(page.locator(f'[data-coverage="{level}"] [data-coverage-text]')).to_have_text(text)

    # The chart: drawn by Chart.js from /static/, with the numbers of the table.
    chart = page.locator("#trend-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    drawn = page.evaluate("() => Chart.getChart('trend-chart').data.datasets[0].data")
    city = unit_at("058", SEED_PERIOD.end)
    assert drawn == [month[Bucket.RECEIVED] for month in monthly_trend(city, SEED_PERIOD)]
    assert sum(drawn) == 1608
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    scripts = [url for url in requests if urlsplit(url).path.endswith(".js")]
    # The layout's script is a file since the Content-Security-Policy (issue 16): once for the
    # sign-in page, once for the dashboard.
    assert [urlsplit(url).path for url in scripts] == [
        "/static/js/layout.js",
        "/static/js/layout.js",
        "/static/vendor/chartjs/chart.umd.min.js",
        "/static/reports/dashboard.js",
    ]
    assert {urlsplit(url).hostname for url in requests if not url.startswith("data:")} == {
        "127.0.0.1"
    }

    # "quá hạn 05": the five late dossiers, those of the report's drill-down.
    page.click('#headline [data-headline="resolved_late"]')
    expect(page.locator("#drill-count")).to_have_text("5")
    codes = page.locator("#drill-table td[data-code]").all_inner_texts()
    assert codes == report_drill_down(city, SEED_PERIOD, Bucket.RESOLVED_LATE)

    # English, from the switch in the header; numbers keep the Vietnamese format.
    page.go_back()
    page.click('form.language button[value="en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}{SEED}")
    expect(page.locator("#headline-title")).to_have_text("Headline figures")
    expect(page.locator('[data-card="resolved"] h3')).to_have_text("Resolved")
    expect(page.locator('[data-rate="paid_online"] h3')).to_have_text("Paid online")
    expect(page.locator('#headline [data-headline="received"]')).to_have_text("1.608")

    # Signing out, then a ward's clerk: their own ward opens, the city does not.
    page.click("header form[action='/dang-xuat/'] button")
    expect(page).to_have_url(re.compile(r"/dang-nhap/$"))
    log_in(page, "motcua.ducxuan", DEMO_PASSWORD, next=SEED.replace("058", "01840"))
    expect(page.locator("h1 + .lead strong")).to_have_text("Phường Đức Xuân")
    response = page.goto(f"{live_server.url}{SEED}")
    assert response is not None
    assert response.status == 404
    expect(page.locator("#problem")).to_contain_text("(058)")
    assert page.locator("#headline").count() == 0
