from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the Bắc Kạn demo data (idempotent) and list the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="load units, calendar, catalogue and demo users")
        accounts = sub.add_parser("accounts", help="print the demo accounts")
        accounts.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args: object, action: str, url: str = "", **options: object) -> None:
        if action == "load":
            try:
                counts = demo_load()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
            self.stdout.write(f"Đã nạp dữ liệu mẫu Bắc Kạn ({summary})")
        else:
            self.stdout.write(f"\nĐăng nhập tại {url}  — mật khẩu chung: {DEMO_PASSWORD}\n")
            for account in DEMO_ACCOUNTS:
                self.stdout.write(
                    f"  {account.username:<18} {account.role.label!s:<28} "
                    f"{account.full_name} ({account.unit_code})"
                )
            self.stdout.write("")
