"""VietQR transfers matched from the bank statement (CSV/XLSX), through ``motcua payments
reconcile --provider vietqr`` (and its older name ``motcua onlinepay reconcile``): a matched line
is recorded once with a numbered receipt, the others are listed and nothing is recorded for them;
a broken file is refused naming line and column and records nothing. A transfer counts as paid
online only where ``MOTCUA_PAID_ONLINE_METHODS`` says so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook

from motcua.core.metrics import Bucket
from motcua.dossiers.figures import ledger_differences, ledger_rebuild
from motcua.dossiers.models import DayFigure
from motcua.dossiers.selectors import dossier_facts_now, paid_online_methods
from motcua.dossiers.tests.world import World, build_world, local
from motcua.onlinepay.choices import IntentStatus, Provider
from motcua.onlinepay.models import PaymentIntent
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.models import PaymentEvent, Receipt
from motcua.payments.selectors import amount_owed

HEADER = "date,amount,content,bank_reference"


@pytest.fixture
def world(db) -> World:
    return build_world()


def statement(tmp_path: Path, *rows: str, name: str = "sao-ke.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def reconcile(path: Path, *extra: str, command: str = "payments") -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(
            command,
            "reconcile",
            "--provider",
            "vietqr",
            "--statement",
            str(path),
            *extra,
            stdout=out,
        )
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def counts(output: str) -> list[str]:
    """The three lists' counts, in order: paid-not-recorded, recorded-not-paid, mismatches."""
    return [
        ln.rsplit(": ", 1)[1]
        for ln in output.splitlines()
        if ln.startswith(("Đã trả", "Đã ghi", "Lệch"))
    ]


def test_a_matched_transfer_is_recorded_once_with_a_receipt(world, tmp_path):
    dossier = world.create(at="02/01/2024 08:00", fee=1_608_000)
    assert dossier.code == "000.00.58.H06-240102-0001"
    path = statement(
        tmp_path,
        f'02/01/2024 09:15:00,1.608.000,"CT DEN:0123 {dossier.code} Nop phi",FT24002111',
    )

    code, out = reconcile(path)

    assert code == 0, out
    assert "Số giao dịch ghi nhận lần này: 1." in out
    assert counts(out) == ["0", "0", "0"]
    event = PaymentEvent.objects.get()
    assert (event.kind, event.amount, event.method, event.reference) == (
        PaymentEventKind.SUCCEEDED,
        1_608_000,
        PaymentMethod.BANK_TRANSFER,
        "FT24002111",
    )
    receipt = Receipt.objects.get()
    assert (receipt.dossier_id, receipt.number, receipt.collector_id) == (dossier.pk, 1, None)
    intent = PaymentIntent.objects.get()
    assert (intent.provider, intent.status, intent.provider_transaction, intent.paid_at) == (
        Provider.VIETQR,
        IntentStatus.PAID,
        "FT24002111",
        local("02/01/2024 09:15"),  # the bank's moment; the ledger has when it was recorded
    )
    assert amount_owed(dossier.pk) == 0

    # The same statement again (or under the older command name): nothing recorded twice.
    for command in ("payments", "onlinepay"):
        code, out = reconcile(path, command=command)
        assert code == 0, out
        assert "Số giao dịch ghi nhận lần này: 0." in out
        assert "Số dòng khớp: 1." in out
    assert (PaymentEvent.objects.count(), Receipt.objects.count()) == (1, 1)


def test_a_code_whose_punctuation_the_bank_dropped_still_matches(world, tmp_path):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    compact = dossier.code.replace(".", "").replace("-", "").lower()
    path = statement(tmp_path, f"02/01/2024,50000,MBVCB.123 {compact} nop phi,REF-1")
    code, out = reconcile(path)
    assert code == 0, out
    assert PaymentEvent.objects.get().reference == "REF-1"


def test_lines_that_match_no_dossier_or_differ_in_amount_are_listed_not_recorded(world, tmp_path):
    owes = world.create(at="02/01/2024 08:00", fee=50000)
    other = world.create(at="02/01/2024 08:05", fee=70000)
    path = statement(
        tmp_path,
        "02/01/2024 10:00:00,50000,chuyen tien an trua,REF-A",
        f"02/01/2024 10:01:00,40000,{owes.code},REF-B",
        f"02/01/2024 10:02:00,70000,{other.code} Nop phi,REF-C",
        "02/01/2024 10:03:00,70000,000.00.58.H06-240102-9999,REF-D",  # no such dossier
    )

    code, out = reconcile(path, "--day", "02/01/2024")

    assert code == 1
    assert counts(out) == ["2", "0", "1"]
    listed = [ln for ln in out.splitlines() if ln.startswith("  ")]
    assert any("REF-A" in ln and "dòng 2" in ln for ln in listed)
    assert any("REF-D" in ln and "dòng 5" in ln for ln in listed)
    (mismatch,) = [ln for ln in listed if "REF-B" in ln]
    assert owes.code in mismatch
    assert "40.000 đ" in mismatch
    assert "50.000 đ" in mismatch
    # Only the matching line was recorded.
    assert list(PaymentEvent.objects.values_list("reference", flat=True)) == ["REF-C"]
    assert (amount_owed(owes.pk), amount_owed(other.pk)) == (50000, 0)


def test_a_recorded_transfer_missing_from_the_days_statement_is_listed(world, tmp_path):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    reconcile(statement(tmp_path, f"02/01/2024 09:00:00,50000,{dossier.code},REF-1"))
    later = statement(tmp_path, "02/01/2024 11:00:00,1000,tien khac,REF-9", name="b.csv")
    code, out = reconcile(later)
    assert code == 1
    assert counts(out) == ["1", "1", "0"]
    (missing,) = [ln for ln in out.splitlines() if ln.startswith("  ") and "REF-1" in ln]
    assert dossier.code in missing
    assert "50.000 đ" in missing


def test_an_xlsx_statement_is_read_as_the_csv(world, tmp_path):
    dossier = world.create(at="02/01/2024 08:00", fee=30000)
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Amount", "Content", "Bank_reference"])
    sheet.append([local("02/01/2024 09:30").replace(tzinfo=None), 30000, dossier.code, "X1"])
    path = tmp_path / "sao-ke.xlsx"
    book.save(path)
    code, out = reconcile(path)
    assert code == 0, out
    assert PaymentEvent.objects.get().amount == 30000
    assert PaymentIntent.objects.get().paid_at == local("02/01/2024 09:30")


def test_a_broken_statement_is_refused_by_line_and_column_and_records_nothing(world, tmp_path):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    path = statement(
        tmp_path,
        f"02/01/2024 09:00:00,50000,{dossier.code},REF-1",  # good, but the file is not
        "31/02/2024,50000,x,REF-2",
        "02/01/2024,-5,x,REF-3",
        "02/01/2024,abc,x,",
        "02/01/2024,100,x,REF-1",
    )
    with pytest.raises(CommandError) as caught:
        reconcile(path)
    message = str(caught.value)
    for expected in (
        "dòng 3, cột date",
        "dòng 4, cột amount",
        "dòng 5, cột amount",
        "dòng 5, cột bank_reference",
        "dòng 6, cột bank_reference",
    ):
        assert expected in message, message
    assert not PaymentEvent.objects.exists()
    assert not PaymentIntent.objects.exists()
    assert amount_owed(dossier.pk) == 50000


def test_bad_arguments_are_named(world, tmp_path):
    with pytest.raises(CommandError, match="--statement"):
        reconcile(tmp_path / "none.csv")
    path = statement(tmp_path, "02/01/2024,1000,x,R")
    with pytest.raises(CommandError, match="--day"):
        reconcile(path, "--day", "2024-01-02")
    wrong = tmp_path / "sao-ke.txt"
    wrong.write_text("x")
    with pytest.raises(CommandError, match="csv"):
        reconcile(wrong)
    with pytest.raises(CommandError, match="provider"):
        call_command("payments", "reconcile", "--provider", "momo", "--statement", str(path))


def _paid_online(*methods: str):
    rules = {**settings.MOTCUA_DOSSIERS, "PAID_ONLINE_METHODS": ",".join(methods)}
    return override_settings(MOTCUA_DOSSIERS=rules)


def test_a_transfer_counts_as_paid_online_only_where_the_province_says_so(world, tmp_path):
    """766 indicator 3.6's "paid online" is not confirmed (spec §6): VietQR transfers count
    only when ``MOTCUA_PAID_ONLINE_METHODS`` names ``bank_transfer``. Figures kept under the
    old rule then differ from the dossiers until the ledger is rebuilt."""

    def paid_online() -> int:
        return sum(DayFigure.objects.filter(figure=Bucket.PAID_ONLINE).values_list("n", flat=True))

    first = world.create(at="02/01/2024 08:00", fee=50_000)
    assert reconcile(statement(tmp_path, f"02/01/2024 09:15:00,50.000,{first.code},FT1"))[0] == 0
    assert not dossier_facts_now(first.pk)[1].paid_online
    assert paid_online() == 0

    with _paid_online("online_national", "online_local", "bank_transfer"):
        assert dossier_facts_now(first.pk)[1].paid_online
        # Kept under the old rule: `report verify` names the difference until a rebuild.
        assert ledger_differences()
        second = world.create(at="03/01/2024 08:00", fee=50_000)
        path = statement(tmp_path, f"03/01/2024 09:15:00,50.000,{second.code},FT2")
        assert reconcile(path)[0] == 0
        assert paid_online() == 1  # the new transfer, by the new rule
        ledger_rebuild()
        assert ledger_differences() == {}
        assert paid_online() == 2

    for bad in ("online_national,cheque", ""):
        with _paid_online(bad):
            if bad:
                with pytest.raises(ImproperlyConfigured, match="MOTCUA_PAID_ONLINE_METHODS"):
                    paid_online_methods()
            else:  # empty: the default rule
                assert paid_online_methods() == {"online_national", "online_local"}
