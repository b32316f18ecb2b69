"""Every page of the app a person opens, by role: the one list the phone-layout test (and any
screenshot round) walks. Append new pages here.

An entry is either an address, or ``Follow(page, pattern)``: the first link of ``page``'s
main content whose address matches the regular expression ``pattern`` (a dossier, a
drill-down, a meeting: addresses that depend on data).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def demo_site(bac_kan_2024, django_db_blocker, demo_load_once):
    """The site the pages are opened on: the demo's data, once for each module that uses it,
    rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load_once()
        yield
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Follow:
    page: str | Follow
    pattern: str


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # a demo account's user name, or "" for a visitor not signed in
    where: str | Follow


# Today's people (the units of 01/07/2025), and the 2024 ones for the history.
CLERK = "tiepnhan.ducxuan"
OFFICER = "chuyenvien.ducxuan"
WARD_LEADER = "lanhdao.ducxuan"
CLERK_2024 = "motcua.thanhpho"
LEADER = "lanhdao.thanhpho"
STEERING = "bcd.thanhpho"
ADMIN = "admin"

PAGES = [
    # The citizen portal and the sign-in page (no account).
    Page("portal-catalogue", "", "/dich-vu-cong/"),
    Page("portal-procedure", "", Follow("/dich-vu-cong/", r"^/dich-vu-cong/thu-tuc/[^/]+/$")),
    Page(
        "portal-submission",
        "",
        Follow(
            Follow("/dich-vu-cong/", r"^/dich-vu-cong/thu-tuc/[^/]+/$"),
            r"^/dich-vu-cong/thu-tuc/[^/]+/nop-truc-tuyen/$",
        ),
    ),
    Page("portal-tracking", "", "/dich-vu-cong/tra-cuu/"),
    Page("login", "", "/dang-nhap/"),
    Page("not-found", "", "/khong-co-trang-nay/"),
    # The one-stop desk.
    Page("counter", CLERK, "/mot-cua/"),
    Page("counter-form", CLERK, Follow("/mot-cua/?q=khai+sinh", r"^/mot-cua/tiep-nhan/")),
    Page("online-list", CLERK, "/mot-cua/truc-tuyen/"),
    Page("queue", CLERK, "/mot-cua/hang-doi/"),
    Page("search", CLERK, "/mot-cua/tim-kiem/?q=nguyen"),
    Page("tracking-log", CLERK, "/mot-cua/so-theo-doi/"),
    Page("dossier", CLERK, Follow("/mot-cua/tim-kiem/?q=nguyen", r"^/mot-cua/ho-so/[^/]+/$")),
    Page("officer-queue", OFFICER, "/mot-cua/hang-doi/?all=1"),
    Page("queue-2024", CLERK_2024, "/mot-cua/hang-doi/?all=1"),
    Page(
        "dossier-2024",
        CLERK_2024,
        Follow("/mot-cua/tim-kiem/?q=nguyen", r"^/mot-cua/ho-so/[^/]+/$"),
    ),
    Page("ward-dashboard", WARD_LEADER, "/bao-cao/"),
    Page("indicator-entry", LEADER, "/chi-dao/chi-tieu/nhap/"),
    # Reports.
    Page("dashboard", LEADER, "/bao-cao/"),
    Page("drill-down", LEADER, Follow("/bao-cao/", r"^/bao-cao/ho-so/\?")),
    Page("end-of-day", LEADER, "/bao-cao/cuoi-ngay/"),
    Page("briefing", LEADER, "/bao-cao/tom-tat/"),
    # The steering committee.
    Page("steering", STEERING, "/chi-dao/"),
    Page("indicators", STEERING, "/chi-dao/chi-tieu/"),
    Page("project-06-groups", STEERING, "/chi-dao/to-cong-tac-de-an-06/"),
    Page("meetings", STEERING, "/chi-dao/chi-dao-dieu-hanh/"),
    Page(
        "meeting",
        STEERING,
        Follow("/chi-dao/chi-dao-dieu-hanh/", r"/cuoc-hop/\d+/$"),
    ),
    Page("directives", STEERING, "/chi-dao/chi-dao-dieu-hanh/ket-luan/"),
    Page(
        "directive",
        STEERING,
        Follow("/chi-dao/chi-dao-dieu-hanh/ket-luan/", r"/ket-luan/\d+/$"),
    ),
    # Administration.
    Page("admin-index", ADMIN, "/admin/"),
    Page("admin-changelist", ADMIN, "/admin/dossiers/dossier/"),
    Page(
        "admin-changeform",
        ADMIN,
        Follow("/admin/units/agency/", r"^/admin/units/agency/\d+/change/$"),
    ),
]
