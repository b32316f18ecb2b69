"""``motcua demo``: load the Bắc Kạn demo, list its accounts, write its catalogue file."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.catalog.services import DEMO_CATALOG_PATH
from motcua.demo.catalog import write_demo_catalog
from motcua.demo.services import (
    ALL_ACCOUNTS,
    DEMO_API_CLIENT_ID,
    DEMO_API_CLIENT_SECRET,
    DEMO_PASSWORD,
    DemoAccount,
    demo_load,
)
from motcua.lib.formatting import format_number
from motcua.lib.site import site_url

# What ``demo_load`` counts, as the summary names it (a newcomer reads it first).
LOADED = {
    "units": "đơn vị hành chính",
    "procedures": "thủ tục",
    "procedure_versions_2025": "phiên bản thủ tục từ 01/07/2025",
    "declaration_forms": "mẫu tờ khai",
    "template_files": "tệp mẫu",
    "users": "tài khoản",
    "api_clients": "ứng dụng khách API",
    "dossiers": "hồ sơ năm 2024",
    "history_settled": "hồ sơ tồn trước 01/07/2025 đã trả kết quả",
    "live_dossiers": "hồ sơ năm nay",
    "citizen": "hồ sơ của công dân mẫu",
    "steering_definitions": "chỉ tiêu",
    "steering_values": "số liệu chỉ tiêu",
    "steering_targets": "mục tiêu",
    "steering_groups": "tổ Đề án 06",
    "steering_members": "thành viên tổ",
    "directives": "chỉ đạo",
    "leaders_with_email": "lãnh đạo có thư điện tử",
    "ledger_spans": "nửa tháng sổ cái đã tổng hợp",
    "ledger_years": "năm sổ cái đã chốt",
}


class Command(BaseCommand):
    help = "Load the Bắc Kạn demo data (idempotent) and list the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="load units, calendar, catalogue and demo users")
        accounts = sub.add_parser("accounts", help="print the demo accounts")
        # Default: the site's public address (MOTCUA_BASE_URL), as links and QR codes use.
        accounts.add_argument("--url", default="")
        generate = sub.add_parser("generate-catalog", help=_("write the demo catalogue file"))
        generate.add_argument("file", nargs="?", default=str(DEMO_CATALOG_PATH))

    def handle(self, *args: object, action: str, url: str = "", **options: object) -> None:
        if action == "generate-catalog":
            path = str(options["file"])
            count = write_demo_catalog(Path(path))
            self.stdout.write(
                _("Wrote %(count)s procedures to %(file)s.")
                % {"count": format_number(count), "file": path}
            )
        elif action == "load":
            try:
                counts = demo_load()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            # A step that found everything in place says 0 (the indicators' definitions, which
            # a migration wrote): left out, "chỉ tiêu: 0" reads as "no indicators".
            summary = ", ".join(
                f"{LOADED.get(name, name)}: {format_number(n)}" for name, n in counts.items() if n
            )
            self.stdout.write(f"Đã nạp dữ liệu mẫu Bắc Kạn ({summary})")
        else:
            url = url or site_url("/")
            self.stdout.write(f"\nĐăng nhập tại {url}  — mật khẩu chung: {DEMO_PASSWORD}\n")
            current = [a for a in ALL_ACCOUNTS if not a.historical]
            historical = [a for a in ALL_ACCOUNTS if a.historical]
            self.stdout.write("Hiện nay (chính quyền địa phương hai cấp, từ 01/07/2025):")
            for account in current:
                self._write_account(account)
            self.stdout.write(
                "\nLịch sử (đơn vị của thành phố Bắc Kạn, đã kết thúc ngày 30/06/2025; "
                "dùng để xem hồ sơ năm 2024):"
            )
            for account in historical:
                self._write_account(account)
            self.stdout.write(
                "\nỨng dụng khách API mẫu (chỉ dùng cho bản demo; docs/api.md), "
                f"lấy mã truy cập tại {site_url('/api/v1/oauth/token')}:"
            )
            self.stdout.write(f"  client_id:     {DEMO_API_CLIENT_ID}")
            self.stdout.write(f"  client_secret: {DEMO_API_CLIENT_SECRET}")
            self.stdout.write("")

    def _write_account(self, account: DemoAccount) -> None:
        self.stdout.write(
            f"  {account.username:<20} {account.role.label!s:<28} "
            f"{account.full_name}, {account.position} ({account.agency_code or account.unit_code})"
        )
        self.stdout.write(f"  {'':<20} → {account.place}")
