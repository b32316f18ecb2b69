"""The 2024 demo staff accounts for the staff pages' tests, granted in Bắc Kạn city's units as
they stood on DEMO_DAY."""

from __future__ import annotations

from motcua.demo.services import DEMO_ACCOUNTS, demo_account_load


def demo_staff_load() -> None:
    """Create each 2024 demo account with the demo password and grant it its role."""
    # Every 2024 account is granted on DEMO_DAY (DemoAccount.on's default).
    for account in DEMO_ACCOUNTS:
        demo_account_load(account)
