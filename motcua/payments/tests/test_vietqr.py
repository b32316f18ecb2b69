"""VietQR (docs/payments.md "VietQR"): the payload built and read back, checked against the CRC
standard's check value and payloads made by others; every refused input named; the command's
payload and errors; the tracking page's QR only when something is owed and VietQR is set up.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import segno
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)
from motcua.payments import vietqr
from motcua.payments.vietqr import VietQRError

BIN = "970415"  # VietinBank's NAPAS BIN; the account below is a made-up test account
ACCOUNT = "0011001932418"
NAME = "KHO BAC NHA NUOC (TAI KHOAN THU)"

# Payloads made by others, with the inputs that made them: a NAPAS-generator transfer vector
# (quoted in a public project's VietQR plan), and one payOS (a VietQR aggregator) issued for a
# checkout in June 2025, kept in a public project's SQL dump (its URL-encoded space decoded).
KNOWN = [
    (
        {"bank_bin": "970415", "account": "0011001932418", "amount": 120000},
        "ung ho lu lut",
        "00020101021238570010A0000007270127000697041501130011001932418"
        "0208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",
    ),
    (
        {"bank_bin": "970422", "account": "VQRQADAIJ5512", "amount": 7000},
        "TL89 100",
        "00020101021238570010A000000727012700069704220113VQRQADAIJ5512"
        "0208QRIBFTTA5303704540470005802VN62120808TL89 1006304E346",
    ),
]


def with_crc(body: str) -> str:
    """``body`` (ending in 6304) closed with its right CRC: a payload whose only fault is the
    one a test put in."""
    return body + f"{vietqr.crc16_ccitt_false(body.encode()):04X}"


def refused(call, field: str) -> VietQRError:
    with pytest.raises(VietQRError) as caught:
        call()
    assert caught.value.field == field, str(caught.value)
    return caught.value


# -- the payload ------------------------------------------------------------------------------


def test_the_crc_is_ccitt_false_by_its_standard_check_value():
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize(("inputs", "purpose", "payload"), KNOWN)
def test_the_payload_is_the_one_other_generators_make(inputs, purpose, payload):
    assert vietqr.build(**inputs, purpose=purpose) == payload
    read = vietqr.parse(payload)
    assert (read.bank_bin, read.account, read.amount, read.purpose) == (
        inputs["bank_bin"],
        inputs["account"],
        inputs["amount"],
        purpose,
    )
    assert (read.initiation, read.service, read.currency, read.country) == (
        "12",
        "QRIBFTTA",
        "704",
        "VN",
    )


@pytest.mark.parametrize(
    ("account", "amount", "purpose"),
    [
        (ACCOUNT, 1_608_000, "000.00.58.H06-240102-0001"),
        ("1", 1, ""),
        ("A" * 19, 9_999_999_999_999, "x" * 25),
        ("VQR0123abc", 50_000, "H06-0001 Nop phi"),
    ],
)
def test_what_is_built_reads_back_the_same(account, amount, purpose):
    payload = vietqr.build(bank_bin=BIN, account=account, amount=amount, purpose=purpose)
    assert payload.isascii()
    assert payload.startswith("000201010212")
    assert payload[-8:-4] == "6304"
    assert payload[-4:] == payload[-4:].upper()
    assert vietqr.parse(payload) == vietqr.VietQR(
        initiation="12",
        bank_bin=BIN,
        account=account,
        service="QRIBFTTA",
        amount=amount,
        purpose=purpose,
    )
    assert ("62" in payload) == bool(purpose)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bank_bin": "97041"}, "bank_bin"),
        ({"bank_bin": "9704150"}, "bank_bin"),
        ({"bank_bin": "97041a"}, "bank_bin"),
        ({"bank_bin": ""}, "bank_bin"),
        ({"account": ""}, "account"),
        ({"account": "1" * 20}, "account"),
        ({"account": "0011-0019"}, "account"),
        ({"account": "số001"}, "account"),
        ({"amount": 0}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": True}, "amount"),
        ({"purpose": "x" * 26}, "purpose"),
        ({"purpose": "Nộp phí"}, "purpose"),
        ({"purpose": "a\nb"}, "purpose"),
        ({"service": "QRPUSH"}, "service"),
    ],
)
def test_every_bad_input_is_refused_naming_its_field(change, field):
    inputs = {"bank_bin": BIN, "account": ACCOUNT, "amount": 100_000, "purpose": "H06"} | change
    refused(lambda: vietqr.build(**inputs), field)


def test_the_transfer_content_is_the_code_then_a_folded_note_never_a_cut_code():
    code = "000.00.58.H06-240102-0001"  # as the dossiers app makes them: 25 characters
    assert vietqr.dossier_purpose(code) == code
    assert vietqr.transfer_purpose("H06-0001", "Nộp phí hồ sơ đất đai") == "H06-0001 Nop phi ho so"
    assert vietqr.transfer_purpose("H06-0001", "Lệ phí") == "H06-0001 Le phi"
    assert vietqr.dossier_purpose("H06-0001") == "H06-0001 Nop phi"
    # No room for a whole word: the code alone.
    assert vietqr.transfer_purpose("A" * 24, "Nop") == "A" * 24
    refused(lambda: vietqr.transfer_purpose("A" * 26), "code")
    for bad in ("", "H06 0001", "-H06", "HỒ-SƠ-1", "H06/1"):
        refused(lambda bad=bad: vietqr.transfer_purpose(bad), "code")


def test_vietnamese_text_is_folded_to_ascii():
    # The dash is not ASCII: dropped, and the spaces around it become one.
    assert vietqr.ascii_text("Đặng  Thị\tẢnh, ơ ư ỹ — đường") == "Dang Thi Anh, o u y duong"


def test_the_beneficiary_is_none_when_unset_and_refused_when_half_or_malformed():
    assert vietqr.beneficiary_from("", "") is None
    assert vietqr.beneficiary_from(" 970415 ", ACCOUNT, NAME) == vietqr.Beneficiary(
        BIN, ACCOUNT, NAME
    )
    refused(lambda: vietqr.beneficiary_from(BIN, ""), "account")
    refused(lambda: vietqr.beneficiary_from("", ACCOUNT), "bank_bin")
    refused(lambda: vietqr.beneficiary_from("12345", ACCOUNT), "bank_bin")
    refused(lambda: vietqr.beneficiary_from(BIN, "12 34"), "account")


# -- reading a payload --------------------------------------------------------------------------


def test_a_wrong_crc_is_named():
    payload = KNOWN[0][2]
    error = refused(lambda: vietqr.parse(payload[:-1] + "0"), "crc")
    assert "C150" in str(error)
    assert "C15C" in str(error)
    # A changed amount with the old CRC: the CRC catches it.
    refused(lambda: vietqr.parse(payload.replace("5406120000", "5406920000")), "crc")
    refused(lambda: vietqr.parse(payload[:-8]), "63")


def test_a_wrong_length_is_named_by_its_tag_even_with_a_right_crc():
    # 54 says 7 characters but holds 6: everything after it is read one character off.
    body = "000201010212" + "38570010A0000007270127000697041501130011001932418" + "0208QRIBFTTA"
    body += "53037045407120000" + "5802VN" + "6304"
    error = refused(lambda: vietqr.parse(with_crc(body)), "80")
    assert error.params == {"previous": "54"}
    assert "field 54" in str(error)
    # A length running past the end of its field.
    truncated = "000201010212" + "38990010A000000727" + "6304"
    refused(lambda: vietqr.parse(with_crc(truncated)), "38")
    # Inside the merchant field: 01 says 27 characters, 26 follow.
    merchant = "0010A000000727" + "0127" + "0006970415" + "0112001100193241"
    inner = "000201010212" + f"38{len(merchant)}" + merchant + "6304"
    refused(lambda: vietqr.parse(with_crc(inner)), "38.01")
    # Not a number where the length goes.
    refused(lambda: vietqr.parse(with_crc("00020101x2" + "6304")), "01")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("000202" + "010212", "00"),  # payload format 02
        ("010212" + "000201", "00"),  # 00 not first
        ("000201" + "010213", "01"),
        ("000201010212" + "38140010A000000728", "38.00"),
        ("000201010212000201", "00"),  # a tag twice
    ],
)
def test_fixed_values_and_duplicates_are_refused_naming_the_field(body, field):
    refused(lambda: vietqr.parse(with_crc(body + "6304")), field)


def test_a_static_payload_reads_without_an_amount_and_a_dynamic_one_needs_it():
    merchant = "38570010A0000007270127000697041501130011001932418" + "0208QRIBFTTA"
    static = vietqr.parse(with_crc("000201010211" + merchant + "53037045802VN6304"))
    assert (static.initiation, static.amount, static.purpose) == ("11", None, "")
    refused(lambda: vietqr.parse(with_crc("000201010212" + merchant + "53037045802VN6304")), "54")
    refused(lambda: vietqr.parse("000201010212" + merchant + "5303704đ6304ABCD"), "payload")


def test_fields_vietqr_does_not_use_are_skipped():
    # Some generators add 52 (merchant category), 59 (name) and 60 (city): still a transfer.
    merchant = "38540010A00000072701240006970454011001234567890208QRIBFTTA"
    body = "000201010212" + merchant + "52045999" + "5303704" + "540565000" + "5802VN"
    body += "5912KHO BAC TINH" + "6007BAC KAN" + "6304"
    read = vietqr.parse(with_crc(body))
    assert (read.bank_bin, read.account, read.amount) == ("970454", "0123456789", 65000)


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"MOTCUA_VIETQR_BANK_BIN": "97041"}, "MOTCUA_VIETQR_BANK_BIN"),
        ({"MOTCUA_VIETQR_BANK_BIN": BIN}, "MOTCUA_VIETQR_ACCOUNT"),
        (
            {"MOTCUA_VIETQR_ACCOUNT": "12 34", "MOTCUA_VIETQR_BANK_BIN": BIN},
            "MOTCUA_VIETQR_ACCOUNT",
        ),
    ],
)
def test_a_bad_setting_stops_the_start_naming_it(variables, named):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("MOTCUA_VIETQR")
    }
    done = subprocess.run(
        [sys.executable, "-c", "import motcua.settings"],
        env=environment | variables,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {named}:" in done.stderr


# -- the command ---------------------------------------------------------------------------------


@pytest.fixture
def configured(settings):
    settings.MOTCUA_VIETQR_BANK_BIN = BIN
    settings.MOTCUA_VIETQR_ACCOUNT = ACCOUNT
    settings.MOTCUA_VIETQR_ACCOUNT_NAME = NAME
    return settings


@pytest.fixture
def unconfigured(settings):
    settings.MOTCUA_VIETQR_BANK_BIN = ""
    settings.MOTCUA_VIETQR_ACCOUNT = ""
    settings.MOTCUA_VIETQR_ACCOUNT_NAME = ""
    return settings


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("payments", "vietqr", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def command_error(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        command(*args)
    return str(caught.value)


def test_the_command_prints_the_payload_of_what_the_dossier_owes(world, configured):
    dossier = world.create(at="02/01/2024 08:00", fee=1_608_000)
    out, _err = command(dossier.code.lower())  # typed in lower case: found all the same
    read = vietqr.parse(out.strip())
    assert (read.amount, read.purpose, read.bank_bin, read.account) == (
        1_608_000,
        dossier.code,
        BIN,
        ACCOUNT,
    )
    assert out.count("\n") == 1  # the payload alone: ready for a script


def test_the_command_takes_a_part_of_what_is_owed(world, configured):
    dossier = world.create(at="02/01/2024 08:00", fee=1_608_000)
    for typed, amount in (("1.000.000", 1_000_000), ("1608000", 1_608_000), ("5", 5)):
        out, _err = command(dossier.code, "--amount", typed)
        assert vietqr.parse(out.strip()).amount == amount


def test_the_command_draws_the_qr_code(world, configured, tmp_path: Path):
    dossier = world.create(at="02/01/2024 08:00", fee=30_000)
    svg_file = tmp_path / "qr.svg"
    out, err = command(dossier.code, "--svg", str(svg_file))
    assert "<svg" in svg_file.read_text(encoding="utf-8")
    assert str(svg_file) in err
    png_file = tmp_path / "qr.png"
    out, _err = command(dossier.code, "--png", str(png_file))
    assert png_file.read_bytes().startswith(b"\x89PNG")
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("zbarimg is missing; scripts/dev.py installs zbar-tools under CI")
        pytest.skip("zbarimg (zbar-tools) is not installed: the PNG was not decoded")
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png_file)], capture_output=True, text=True, check=True
    )
    assert decoded.stdout.strip() == out.strip()
    assert vietqr.parse(decoded.stdout.strip()).amount == 30_000


def test_the_command_refuses_naming_code_or_amount(world, configured):
    dossier = world.create(at="02/01/2024 08:00", fee=100_000)
    free = world.create(at="02/01/2024 08:10", fee=0)
    assert command_error("000.00.58.H06-240102-9999").startswith("CODE: ")
    assert command_error(free.code).startswith("CODE: ")
    for typed in ("abc", "0", "-5", "1,5", "100000.5"):
        assert command_error(dossier.code, "--amount", typed).startswith("--amount: "), typed
    too_much = command_error(dossier.code, "--amount", "100001")
    assert too_much.startswith("--amount: ")
    assert "100.001 đ" in too_much
    assert "100.000 đ" in too_much


def test_the_command_says_when_vietqr_is_not_configured(world, unconfigured, tmp_path: Path):
    dossier = world.create(at="02/01/2024 08:00", fee=100_000)
    message = command_error(dossier.code, "--png", str(tmp_path / "qr.png"))
    assert "MOTCUA_VIETQR_BANK_BIN" in message
    assert "MOTCUA_VIETQR_ACCOUNT" in message
    assert not (tmp_path / "qr.png").exists()


def test_png_and_svg_are_one_or_the_other(world, configured):
    dossier = world.create(at="02/01/2024 08:00", fee=100_000)
    with pytest.raises(CommandError):
        command(dossier.code, "--png", "a.png", "--svg", "a.svg")


# -- the tracking page ---------------------------------------------------------------------------


def tracked_page(client, dossier) -> str:
    tracked = client.post("/dich-vu-cong/tra-cuu/", {"code": dossier.code, "phone": "0912345678"})
    assert tracked.status_code == 302
    page = client.get(tracked["Location"])
    assert page.status_code == 200
    return page


def test_the_tracking_page_shows_the_vietqr_of_what_is_owed(client, world, configured):
    dossier = world.create(at="02/01/2024 08:00", fee=1_608_000)
    page = tracked_page(client, dossier)
    text = page.content.decode()
    qr = page.context["fees"]["vietqr"]
    read = vietqr.parse(qr["payload"])
    assert (read.amount, read.purpose) == (1_608_000, dossier.code)
    # The code drawn is that payload's, as segno draws it (no decoder for SVG here).
    drawn = segno.make_qr(qr["payload"], error="m").svg_inline(scale=1, border=4, omitsize=True)
    assert drawn in text
    section = text.split('id="vietqr"')[1].split("</figure>")[0]
    assert 'role="img"' in section
    assert "aria-label=" in section
    assert "1.608.000 đ" in section
    for shown in (NAME, ACCOUNT, BIN, dossier.code):
        assert shown in section
    assert 'id="vietqr-unavailable"' not in text


def test_the_tracking_page_says_when_vietqr_is_not_configured(client, world, unconfigured):
    dossier = world.create(at="02/01/2024 08:00", fee=1_608_000)
    text = tracked_page(client, dossier).content.decode()
    assert "1.608.000 đ" in text
    assert 'id="vietqr-unavailable"' in text
    assert 'id="vietqr"' not in text
    assert 'class="vietqr-code"' not in text


def test_the_tracking_page_shows_no_fees_when_nothing_is_owed(client, world, configured):
    dossier = world.create(at="02/01/2024 08:00", fee=0)
    text = tracked_page(client, dossier).content.decode()
    assert str(_("Fees to pay")) not in text
    assert 'id="fees-heading"' not in text
    assert 'id="vietqr' not in text
    assert 'class="vietqr-code"' not in text
