"""The Bắc Kạn demo: every app's shipped data loaded through the apps' own services, plus users.

Loading is idempotent: the README's first command runs it on every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.api.choices import Scope
from motcua.api.models import ApiClient
from motcua.api.services import client_create
from motcua.catalog.services import (
    load_demo_catalog,
    load_demo_declaration_forms,
    load_two_level_catalog,
)
from motcua.demo.citizen import load_demo_citizen
from motcua.demo.directives import load_demo as load_directives_demo
from motcua.demo.history import history_leftovers_settle
from motcua.demo.live import LIVE_UNITS, load_live_year
from motcua.demo.scenario import BAC_KAN_2024, load_scenario
from motcua.demo.steering import load_demo as load_steering_demo
from motcua.demo.templates_files import load_demo_template_files
from motcua.dossiers.ledger_checkpoints import checkpoints_take, months_take
from motcua.jobs.services import load_demo as load_jobs_demo
from motcua.units.models import Agency
from motcua.units.selectors import unit_at
from motcua.units.services import load_bac_kan

# One shared password for the demo accounts; `demo load` refuses to run in production.
DEMO_PASSWORD = "motcua-demo"  # noqa: S105
# The demo's machine client of the API (docs/api.md): documented credentials, demo only (the
# API refuses a demo client in production), every scope, a clerk's role in the live wards.
DEMO_API_CLIENT_ID = "mcl_demo_backan"
DEMO_API_CLIENT_SECRET = "motcua-demo-api"  # noqa: S105
DEMO_API_CLIENT_NAME = "Hệ thống mẫu (demo) — LGSP Bắc Kạn"
# The day of the 2024 seed (its figures are as of that day), before the 2025 mergers: the 2024
# accounts are granted in the units valid then. The present's accounts are granted on
# TWO_LEVEL_DAY, and the live year ends today (motcua/demo/live.py).
DEMO_DAY = date(2024, 5, 22)


# Where each role works in the browser (what `motcua demo accounts` tells a newcomer).
ROLE_PLACES: dict[Role, str] = {
    Role.CLERK: "tiếp nhận tại quầy /mot-cua/, duyệt hồ sơ trực tuyến /mot-cua/truc-tuyen/",
    Role.OFFICER: "xử lý hồ sơ được chuyển đến /mot-cua/hang-doi/",
    Role.LEADER: "bảng số liệu, báo cáo, ký phiếu xin lỗi /bao-cao/",
    Role.STEERING: "nhập và xem số liệu chỉ đạo điều hành /chi-dao/",
    Role.ADMIN: "quản trị danh mục, đơn vị, tài khoản /admin/",
}


@dataclass(frozen=True)
class DemoAccount:
    """A demo login; ``on`` is the day whose unit version the grant is made in."""

    username: str
    full_name: str
    position: str
    role: Role
    unit_code: str
    agency_code: str | None = None
    superuser: bool = False
    on: date = DEMO_DAY

    @property
    def historical(self) -> bool:
        """Granted in a unit of the three-level government, which ended on 30/06/2025."""
        return self.on < TWO_LEVEL_DAY and not self.superuser

    @property
    def place(self) -> str:
        return ROLE_PLACES[self.role]


# The two-level local government starts on 1/7/2025 (§10.2): units and grants from that day.
TWO_LEVEL_DAY = date(2025, 7, 1)

# The 2024 accounts, in the units of Bắc Kạn city (ended 30/06/2025). Tests of the 2024 seed
# grant them at DEMO_DAY; kept so that history stays reachable by the people who made it.
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


def _unit_staff(
    slug: str, unit: str, where: str, clerk: str, officer: tuple[str, str], leader: str
) -> list[DemoAccount]:
    """A new unit's clerk (at its centre), officer (at its People's Committee) and leader."""
    day = TWO_LEVEL_DAY
    return [
        DemoAccount(
            f"tiepnhan.{slug}",
            clerk,
            f"Công chức Trung tâm Phục vụ hành chính công {where}",
            Role.CLERK,
            unit,
            f"TTPVHCC-{unit}",
            on=day,
        ),
        DemoAccount(
            f"chuyenvien.{slug}",
            officer[0],
            officer[1],
            Role.OFFICER,
            unit,
            f"UBND-{unit}-2025",
            on=day,
        ),  # fmt: skip
        DemoAccount(
            f"lanhdao.{slug}", leader, f"Phó Chủ tịch UBND {where}", Role.LEADER, unit, on=day
        ),
    ]


# The present (§10.2): the three units that replaced Bắc Kạn city's wards and communes on
# 1/7/2025, and the province's public administration service centre (§1.1).
CURRENT_ACCOUNTS = [
    *_unit_staff(
        "ducxuan",
        "01840",
        "phường Đức Xuân",
        "Ma Thị Thu",
        ("Hà Văn Quang", "Công chức Văn hóa - Xã hội phường Đức Xuân"),
        "Nông Thị Hồng",
    ),
    *_unit_staff(
        "backan",
        "01843",
        "phường Bắc Kạn",
        "Triệu Thị Ngọc",
        ("Lục Văn Bình", "Công chức Tư pháp - Hộ tịch phường Bắc Kạn"),
        "Hoàng Văn Sơn",
    ),
    *_unit_staff(
        "phongquang",
        "01849",
        "xã Phong Quang",
        "Bế Thị Duyên",
        ("Dương Văn Tài", "Công chức Kinh tế xã Phong Quang"),
        "Lý Văn Thành",
    ),
    DemoAccount(
        "tiepnhan.tinh",
        "Đinh Thị Phương",
        "Công chức Trung tâm Phục vụ hành chính công tỉnh",
        Role.CLERK,
        "19",
        "TTPVHCC-19",
        on=TWO_LEVEL_DAY,
    ),
    DemoAccount(
        "chuyenvien.sotuphap",
        "Vũ Minh Tuấn",
        "Chuyên viên Sở Tư pháp",
        Role.OFFICER,
        "19",
        "STP-19",
        on=TWO_LEVEL_DAY,
    ),
]

ALL_ACCOUNTS = [*CURRENT_ACCOUNTS, *DEMO_ACCOUNTS]


def demo_account_load(account: DemoAccount) -> None:
    """Create or update one demo account with the demo password and grant it its role in the
    unit as it stood on ``account.on``; idempotent."""
    user = user_create_or_update(
        username=account.username,
        full_name=account.full_name,
        position=account.position,
        password=DEMO_PASSWORD,
        is_superuser=account.superuser,
    )
    agency = Agency.objects.get(code=account.agency_code) if account.agency_code else None
    role_grant(
        user=user, role=account.role, unit=unit_at(account.unit_code, account.on), agency=agency
    )


def demo_api_client_load() -> int:
    """The demo's API client (``DEMO_API_CLIENT_ID``), created once; 1 if it was created."""
    if ApiClient.objects.filter(client_id=DEMO_API_CLIENT_ID).exists():
        return 0
    client_create(
        name=DEMO_API_CLIENT_NAME,
        scopes=[scope.value for scope in Scope],
        unit_codes=list(LIVE_UNITS),
        # A clerk's: an officer's grant would list it among the staff a dossier may be
        # handed to (backoffice.selectors.officers).
        roles=[Role.CLERK.value],
        client_id=DEMO_API_CLIENT_ID,
        secret=DEMO_API_CLIENT_SECRET,
        demo=True,
    )
    return 1


def demo_accounts_load() -> int:
    """Create or update every demo account and grant its role; idempotent."""
    for account in ALL_ACCOUNTS:
        demo_account_load(account)
    return len(ALL_ACCOUNTS)


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Load units, catalogue and users for Bắc Kạn city; return what each step loaded."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("the demo data is not for production (MOTCUA_ENV=production)")
    counts: dict[str, int] = {}
    counts["units"] = load_bac_kan().total
    counts["procedures"] = load_demo_catalog().total
    # The same procedures from 1/7/2025, at the commune or the province (§10.2).
    counts["procedure_versions_2025"] = load_two_level_catalog().total
    # The declaration forms of the ten most used procedures, on their newest versions.
    counts["declaration_forms"] = load_demo_declaration_forms().total
    # A printable declaration to download from the birth registration's page.
    counts["template_files"] = load_demo_template_files(timezone.localdate())
    counts["users"] = demo_accounts_load()
    counts["api_clients"] = demo_api_client_load()
    # The Bắc Kạn 2024 history, imported once: a second load finds it stored.
    counts["dossiers"] = load_scenario(BAC_KAN_2024).total
    # Its leftovers (pending at 30/06/2024) taken to their end in July 2024, after the
    # half-year, so that today's overdue lists hold no 2024 dossier.
    counts["history_settled"] = history_leftovers_settle()
    # The live year of the three new units, ending today (motcua/demo/live.py): kept as it is
    # when a load on an earlier day stored one.
    counts["live_dossiers"] = load_live_year(timezone.localdate()).total
    # The demo citizen's own dossiers and stored paper, after the live year (its codes).
    counts["citizen"] = load_demo_citizen(timezone.localdate()).total
    # The steering committee's data, after the users: values are entered by them.
    counts.update({f"steering_{k}": v for k, v in load_steering_demo().items()})
    counts["directives"] = load_directives_demo()
    # Leaders get an e-mail address, so the end-of-day digest has someone to go to.
    counts["leaders_with_email"] = load_jobs_demo()
    # The ledger's rollups, as a deployment's nightly step has taken them for the years it
    # has run (``jobs.housekeeping``): the demo's reports read them at once, as a province's
    # do, not every day row until the worker's first night. Nothing new on a second load.
    today = timezone.localdate()
    counts["ledger_spans"] = len(months_take(today))
    counts["ledger_years"] = len(checkpoints_take(today))
    return counts
