"""The 2024 demo staff accounts for the staff pages' tests, granted in Bắc Kạn city's units as
they stood on DEMO_DAY."""

from __future__ import annotations

from motcua.accounts.services import role_grant, user_create_or_update
from motcua.demo.services import DEMO_ACCOUNTS, DEMO_DAY, DEMO_PASSWORD
from motcua.units.models import Agency
from motcua.units.selectors import unit_at


def demo_staff_load() -> None:
    """Create each 2024 demo account with the demo password and grant it its role."""
    for account in DEMO_ACCOUNTS:
        user = user_create_or_update(
            username=account.username,
            full_name=account.full_name,
            position=account.position,
            password=DEMO_PASSWORD,
            is_superuser=account.superuser,
        )
        agency = Agency.objects.get(code=account.agency_code) if account.agency_code else None
        role_grant(
            user=user,
            role=account.role,
            unit=unit_at(account.unit_code, DEMO_DAY),
            agency=agency,
        )
