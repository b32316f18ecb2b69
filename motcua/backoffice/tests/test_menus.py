"""The menus show only links the signed-in user may follow (the demo walk-through found
links answering 403 and 404): every link in the top menu and the desk tabs opens, for each
demo role, and the links a role uses are there."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.catalog.services import load_two_level_catalog
from motcua.demo.services import demo_accounts_load

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def accounts(bac_kan_world, django_db_blocker):
    """The Bắc Kạn world, the catalogue from 1/7/2025 and the demo accounts."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_two_level_catalog()
        demo_accounts_load()
        yield
        transaction.set_rollback(True)


class _MenuLinks(HTMLParser):
    """The hrefs inside the page's menus (``site-nav`` and ``desk-nav``)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav":
            classes = (values.get("class") or "").split()
            if self.depth or {"site-nav", "desk-nav"} & set(classes):
                self.depth += 1
        elif tag == "a" and self.depth and values.get("href"):
            self.links.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1


def menu_links(client: Client, page: str) -> list[str]:
    response = client.get(page, follow=True)
    assert response.status_code == 200, page
    parser = _MenuLinks()
    parser.feed(response.content.decode())
    return parser.links


# Each role, and the links it must see (it may use them): the walk-through's accounts.
ROLES = {
    "chuyenvien.ducxuan": {"backoffice:queue", "reports:dashboard", "directives:meetings"},
    "tiepnhan.ducxuan": {"backoffice:counter", "certification:register", "onlinepay:reconcile"},
    "lanhdao.ducxuan": {"steering:indicators", "certification:register", "onlinepay:reconcile"},
    "bcd.thanhpho": {"steering:groups", "reports:dashboard", "backoffice:search"},
    "admin": {"certification:register", "steering:indicators", "onlinepay:reconcile"},
}
# Links each role must not see (the walk-through's 403 and 404 answers).
HIDDEN = {
    "chuyenvien.ducxuan": {
        "steering:indicators",
        "steering:groups",
        "backoffice:counter",
        "certification:register",
        "onlinepay:reconcile",
    },
    "tiepnhan.ducxuan": {"steering:indicators", "steering:groups"},
    "lanhdao.ducxuan": {"backoffice:counter"},
    "bcd.thanhpho": {"backoffice:counter", "certification:register", "onlinepay:reconcile"},
    # The counter is a clerk's: an administrator holds no desk (the view answers 403).
    "admin": {"backoffice:counter"},
}


@pytest.mark.parametrize("username", sorted(ROLES))
def test_every_menu_link_of_a_role_opens(accounts, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    links: set[str] = set()
    for page in ("/", reverse("backoffice:queue")):
        links |= set(menu_links(client, page))
    for name in ROLES[username]:
        assert reverse(name) in links, name
    for name in HIDDEN.get(username, ()):
        assert reverse(name) not in links, name
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_a_user_without_roles_sees_no_page_that_refuses_him(accounts):
    nobody = User.objects.create_user(username="khongvaitro", password="x")
    client = Client()
    client.force_login(nobody)
    links = set(menu_links(client, reverse("backoffice:queue")))
    for name in ("backoffice:counter", "certification:register", "onlinepay:reconcile"):
        assert reverse(name) not in links, name
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
