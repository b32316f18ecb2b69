"""The contract simulator checks what the adapter sends as strictly as documented: a test
double that accepted anything would let a wrong payload pass every sync test."""

from __future__ import annotations

import json
import urllib.request

import pytest

from motcua.national.tests.conftest import PASSWORD, USERNAME


def post(sim, path, body):
    request = urllib.request.Request(sim.url + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def session(sim):
    return post(sim, "/auth", {"username": USERNAME, "password": PASSWORD})["session"]


GOOD = {
    "MaHoSo": "000.00.58.H06-240402-0001",
    "MaTTHC": "1.000001",
    "TenTTHC": "Chứng thực",
    "ChuHoSo": "Nguyễn Văn A",
    "DonViXuLy": "Phòng Tư pháp",
    "NgayTiepNhan": "20240402080000",
    "NgayHenTra": "",
    "TrangThaiHoSo": 2,
    "LoaiDoiTuong": 1,
    "HinhThuc": 0,
    "KenhThucHien": 1,
    "HoSoCoThanhPhanSoHoa": 0,
    "TaiKhoanDuocXacThucVoiVNeID": 0,
    "DuocThanhToanTrucTuyen": 0,
    "TaiLieuNop": [],
    "DanhSachLePhi": [],
    "DanhSachHoSoBoSung": [],
    "DanhSachGiayToKetQua": [],
}


def test_a_wrong_password_gets_no_session(simulator):
    reply = post(simulator, "/auth", {"username": USERNAME, "password": "x"})
    assert reply["error_code"] != 0
    assert "session" not in reply


def test_a_call_without_a_valid_session_is_refused(simulator):
    reply = post(
        simulator, "/service", {"session": "nope", "madonvi": "X", "service": "TraCuuHoSo"}
    )
    assert reply["error_code"] == -1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"TrangThaiHoSo": 0}, "TrangThaiHoSo"),
        ({"NgayTiepNhan": "02/04/2024 08:00"}, "NgayTiepNhan"),
        ({"NgayHenTra": "20240230080000"}, "NgayHenTra"),
        ({"KenhThucHien": 4}, "KenhThucHien"),
        ({"MaHoSo": ""}, "MaHoSo"),
        ({"TrangThai": 2}, "unknown field(s): TrangThai"),
        ({"TaiLieuNop": [{"TenTepDinhKem": "a", "DuocSoHoa": 2}]}, "DuocSoHoa"),
    ],
)
def test_a_bad_dossier_is_refused_naming_the_field(simulator, change, named):
    body = {
        "session": session(simulator),
        "madonvi": "000.00.00.H06",
        "service": "DongBoHoSoMC",
        "isUpdating": "False",
        "data": [{**GOOD, **change}],
    }
    reply = post(simulator, "/service", body)
    assert reply["error_code"] == 2
    assert named in reply["message"]
    assert simulator.dossiers() == {}


def test_create_twice_is_already_exists_and_progress_needs_the_dossier(simulator):
    body = {
        "session": session(simulator),
        "madonvi": "000.00.00.H06",
        "service": "DongBoHoSoMC",
        "isUpdating": "False",
        "data": [GOOD],
    }
    assert post(simulator, "/service", body)["error_code"] == 0
    assert post(simulator, "/service", body)["error_code"] == -3
    step = {
        "MaHoSo": "other",
        "NguoiXuLy": "A",
        "NoiDungXuLy": "B",
        "ThoiDiemXuLy": "20240402080000",
        "NgayBatDau": "20240402080000",
        "TrangThai": 2,
    }
    body = {**body, "service": "CapNhatTienDoHoSoMC", "data": [step]}
    assert post(simulator, "/service", body)["error_code"] == 4
