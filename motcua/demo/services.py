"""The Bắc Kạn demo: every app's shipped data loaded through the apps' own services, plus users.

Loading is idempotent: the README's first command runs it on every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.catalog.services import load_demo_catalog
from motcua.directives.demo import load_demo as load_directives_demo
from motcua.dossiers.scenario import BAC_KAN_2024, load_scenario
from motcua.jobs.services import load_demo as load_jobs_demo
from motcua.steering.demo import load_demo as load_steering_demo
from motcua.units.models import Agency
from motcua.units.selectors import unit_at
from motcua.units.services import load_bac_kan

# One shared password for the demo accounts; `demo load` refuses to run in production.
DEMO_PASSWORD = "motcua-demo"  # noqa: S105
# The demo is set in the first half of 2024 (the seed's period), before the 2025 mergers.
DEMO_DAY = date(2024, 5, 22)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    position: str
    role: Role
    unit_code: str
    agency_code: str | None = None
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin", "Quản trị hệ thống", "Quản trị viên", Role.ADMIN, "06", superuser=True),
    DemoAccount(
        "motcua.thanhpho",
        "Hoàng Thị Lan",
        "Công chức Bộ phận Một cửa",
        Role.CLERK,
        "058",
        "BPMC-058",
    ),
    DemoAccount(
        "xuly.tuphap", "Nông Văn Hùng", "Chuyên viên Phòng Tư pháp", Role.OFFICER, "058", "PTP-058"
    ),
    DemoAccount("lanhdao.thanhpho", "Lý Thị Hà", "Phó Chủ tịch UBND thành phố", Role.LEADER, "058"),
    DemoAccount(
        "bcd.thanhpho", "Triệu Văn Minh", "Thành viên Ban Chỉ đạo CCHC", Role.STEERING, "058"
    ),
    DemoAccount(
        "motcua.ducxuan",
        "Ma Thị Thu",
        "Công chức Một cửa phường Đức Xuân",
        Role.CLERK,
        "01840",
        "BPMC-01840",
    ),
    DemoAccount(
        "xuly.ducxuan",
        "Hà Văn Quang",
        "Công chức Tư pháp - Hộ tịch phường Đức Xuân",
        Role.OFFICER,
        "01840",
        "UBND-01840",
    ),
]


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Load units, catalogue and users for Bắc Kạn city; return what each step loaded."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("the demo data is not for production (MOTCUA_ENV=production)")
    counts: dict[str, int] = {}
    counts["units"] = load_bac_kan().total
    counts["procedures"] = load_demo_catalog().total
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
            user=user, role=account.role, unit=unit_at(account.unit_code, DEMO_DAY), agency=agency
        )
    counts["users"] = len(DEMO_ACCOUNTS)
    # The Bắc Kạn 2024 history (issue 3 item 7), imported once: a second load finds it stored.
    counts["dossiers"] = load_scenario(BAC_KAN_2024).total
    # The steering committee's data (issue 6), after the users: values are entered by them.
    counts.update({f"steering_{k}": v for k, v in load_steering_demo().items()})
    counts["directives"] = load_directives_demo()
    # Leaders get an e-mail address, so the end-of-day digest has someone to go to.
    counts["leaders_with_email"] = load_jobs_demo()
    return counts
