"""A contract simulator of the National Public Service Portal's integration services, for tests
and demos: a real HTTP server on 127.0.0.1 (integrations-vn.md §1.2; docs/national.md).

    python -m motcua.national.simulator --port 8765 --state-dir /tmp/sim

It implements what motcua's adapter speaks, from the documented shapes: ``POST /auth``
(``{username, password}`` → ``{session, error_code}``) and ``POST /service`` with
``{session, madonvi, service, ...}`` for ``DongBoHoSoMC``, ``CapNhatTienDoHoSoMC``,
``TraCuuHoSo``, ``LayDanhSachTTHC`` and ``LayThuTuc``. It validates strictly (required and
unknown fields, 24-hour ``yyyyMMddHHmmss`` dates, status codes 1-10, flags, the session),
keeps what it received in SQLite in the state folder, and detects what a client must never
do: a progress step older than one already applied (out of order), the same step twice
(duplicate), a create of a dossier it already has. What it replies where the real portal is
not documented is marked [S] in docs/national.md.

Test endpoints: ``GET /_sim/dossiers``, ``GET /_sim/received``, ``GET /_sim/problems``,
``POST /_sim/faults`` (``{"kind": K, "count": N, "service": S, "seconds": T}``; kinds:
``expire_sessions``, ``timeout`` (apply, then answer after T s), ``error_5xx`` (answer 500,
apply nothing), ``twice`` (apply the request twice: a retrying proxy), ``reorder`` (hold the
request T s before applying it, while later ones go on), ``garbage`` (apply, answer broken
JSON), ``refuse`` (answer error_code 99), ``drop_last`` (forget the last N dossiers)),
``POST /_sim/catalog`` (the LayThuTuc items to serve), ``POST /_sim/reset``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MAX_BODY = 10 * 1024 * 1024
DATE_FIELDS = (
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayTra",
    "NgayKetThucXuLy",
    "NgayTuChoi",
    "NgayNopHoSo",
)
DOSSIER_FIELDS = frozenset(
    {
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "MaLinhVuc",
        "TenLinhVuc",
        "SoBienNhan",
        "ChuHoSo",
        "LoaiDoiTuong",
        "MaDoiTuong",
        "Email",
        "SoDienThoai",
        "TrichYeuHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
        "TrangThaiHoSo",
        "NgayTra",
        "HinhThuc",
        "NgayKetThucXuLy",
        "DonViXuLy",
        "TaiLieuNop",
        "DanhSachLePhi",
        "DanhSachHoSoBoSung",
        "DanhSachGiayToKetQua",
        "KenhThucHien",
        "SoGiayToChuHoSo",
        "NoiNopHoSo",
        "HoSoCoThanhPhanSoHoa",
        "TaiKhoanDuocXacThucVoiVNeID",
        "DuocThanhToanTrucTuyen",
        "NgayTuChoi",
        "NgayNopHoSo",
        "DinhDanhCHS",
        "DSKetNoiCSDL",
        "ThongTinKhac",
        "Fax",
        "ThongTinTra",
        "GhiChu",
    }
)
PROGRESS_FIELDS = frozenset(
    {
        "MaHoSo",
        "NguoiXuLy",
        "ChucDanh",
        "ThoiDiemXuLy",
        "PhongBanXuLy",
        "NoiDungXuLy",
        "TrangThai",
        "NgayBatDau",
        "NgayKetThucTheoQuyDinh",
    }
)
FILE_FLAGS = {"DuocSoHoa": {0, 1}, "DuocTaiSuDung": {0, 1, 2}, "DuocLayTuKhoDMQG": {0, 1}}
# Reply codes. 0 success and -3 "already exists" are from the codebases [C]; the others are
# the simulator's own [S].
OK, EXISTS, EXPIRED, INVALID, NOT_FOUND, REFUSED = 0, -3, -1, 2, 4, 99


class Invalid(Exception):
    def __init__(self, message: str, code: int = INVALID) -> None:
        super().__init__(message)
        self.code = code


def _is_date(value: Any, *, required: bool) -> bool:
    if value in ("", None):
        return not required
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        return False
    try:
        datetime.strptime(value, "%Y%m%d%H%M%S")  # noqa: DTZ007 (local time on the wire)
    except ValueError:
        return False
    return True


def _int_in(item: dict[str, Any], name: str, allowed: set[int] | range) -> None:
    value = item.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise Invalid(f"{name}: {value!r} is not one of the allowed values")


def validate_dossier(item: Any) -> None:
    """A DongBoHoSoMC item, strictly: required fields, known fields, dates, codes, flags."""
    if not isinstance(item, dict):
        raise Invalid("data: each item must be an object")
    unknown = sorted(set(item) - DOSSIER_FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    for name in ("MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "DonViXuLy"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise Invalid(f"{name}: required")
    for name in DATE_FIELDS:
        if not _is_date(item.get(name), required=name == "NgayTiepNhan"):
            raise Invalid(f"{name}: {item.get(name)!r} is not yyyyMMddHHmmss")
    # 0 is "chưa biết là gì" in the vendor code: refused here (integrations-vn.md §1.2).
    _int_in(item, "TrangThaiHoSo", range(1, 11))
    _int_in(item, "LoaiDoiTuong", {1, 2})
    _int_in(item, "HinhThuc", {0, 1})
    _int_in(item, "KenhThucHien", {1, 2, 3})
    for flag in ("HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID", "DuocThanhToanTrucTuyen"):
        _int_in(item, flag, {0, 1})
    for name in ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"):
        if not isinstance(item.get(name), list):
            raise Invalid(f"{name}: must be a list")
    for n, file in enumerate(item["TaiLieuNop"]):
        if not isinstance(file, dict) or not file.get("TenTepDinhKem"):
            raise Invalid(f"TaiLieuNop[{n}].TenTepDinhKem: required")
        for flag, allowed in FILE_FLAGS.items():
            if file.get(flag) not in allowed or isinstance(file.get(flag), bool):
                raise Invalid(f"TaiLieuNop[{n}].{flag}: {file.get(flag)!r}")
    for n, fee in enumerate(item["DanhSachLePhi"]):
        if not isinstance(fee, dict) or not isinstance(fee.get("Gia"), int):
            raise Invalid(f"DanhSachLePhi[{n}].Gia: required, a whole number")


def validate_progress(item: Any) -> None:
    if not isinstance(item, dict):
        raise Invalid("data: each item must be an object")
    unknown = sorted(set(item) - PROGRESS_FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    for name in ("MaHoSo", "NguoiXuLy", "NoiDungXuLy"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise Invalid(f"{name}: required")
    for name in ("ThoiDiemXuLy", "NgayBatDau"):
        if not _is_date(item.get(name), required=True):
            raise Invalid(f"{name}: {item.get(name)!r} is not yyyyMMddHHmmss")
    if not _is_date(item.get("NgayKetThucTheoQuyDinh"), required=False):
        raise Invalid(f"NgayKetThucTheoQuyDinh: {item.get('NgayKetThucTheoQuyDinh')!r}")
    _int_in(item, "TrangThai", range(1, 11))


class Portal:
    """The simulated portal's state, in SQLite (one connection, one lock)."""

    def __init__(self, state_dir: Path, username: str, password: str, session_ttl: float):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(state_dir / "portal.sqlite3", check_same_thread=False)
        # A test double: durable enough across its own restarts, not across power cuts.
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS dossiers (code TEXT PRIMARY KEY, n INTEGER, madonvi TEXT,
                item TEXT, history TEXT, progress TEXT);
            CREATE TABLE IF NOT EXISTS calls (n INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT,
                service TEXT, codes TEXT, outcome TEXT, redelivered INTEGER);
            CREATE TABLE IF NOT EXISTS problems (n INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT, code TEXT, detail TEXT);
            CREATE TABLE IF NOT EXISTS catalog (code TEXT PRIMARY KEY, item TEXT);
            """
        )
        self.lock = threading.RLock()
        self.username, self.password, self.session_ttl = username, password, session_ttl
        self.sessions: dict[str, float] = {}
        self.faults: list[dict[str, Any]] = []
        self.counter = 0

    # -- faults ---------------------------------------------------------------------------

    def add_fault(self, fault: dict[str, Any]) -> dict[str, Any]:
        kind = fault.get("kind")
        with self.lock:
            if kind == "expire_sessions":
                self.sessions.clear()
                return {"expired": True}
            if kind == "drop_last":
                count = int(fault.get("count", 1))
                rows = self.db.execute(
                    "SELECT code FROM dossiers ORDER BY n DESC LIMIT ?", (count,)
                ).fetchall()
                codes = [r[0] for r in rows]
                self.db.executemany("DELETE FROM dossiers WHERE code = ?", [(c,) for c in codes])
                self.db.commit()
                return {"dropped": codes}
            if kind not in ("timeout", "error_5xx", "twice", "reorder", "garbage", "refuse"):
                raise Invalid(f"kind: {kind!r} is not a fault")
            self.faults.append(
                {
                    "kind": kind,
                    "count": int(fault.get("count", 1)),
                    "service": fault.get("service"),
                    "seconds": float(fault.get("seconds", 2)),
                }
            )
            return {"queued": kind}

    def take_faults(self, service: str) -> list[dict[str, Any]]:
        taken = []
        with self.lock:
            for fault in self.faults:
                if fault["count"] > 0 and fault["service"] in (None, service):
                    fault["count"] -= 1
                    taken.append(dict(fault))
            self.faults = [f for f in self.faults if f["count"] > 0]
        return taken

    # -- records --------------------------------------------------------------------------

    def log(self, service: str, codes: list[str], outcome: str, redelivered: bool) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO calls (at, service, codes, outcome, redelivered) VALUES (?,?,?,?,?)",
                (
                    datetime.now(UTC).isoformat(),
                    service,
                    json.dumps(codes),
                    outcome,
                    int(redelivered),
                ),
            )
            self.db.commit()

    def problem(self, kind: str, code: str, detail: str) -> None:
        self.db.execute(
            "INSERT INTO problems (kind, code, detail) VALUES (?,?,?)", (kind, code, detail)
        )

    def login(self, body: Any) -> dict[str, Any]:
        if (
            not isinstance(body, dict)
            or body.get("username") != self.username
            or body.get("password") != self.password
        ):
            return {"error_code": 1, "message": "Sai tên đăng nhập hoặc mật khẩu"}
        token = secrets.token_hex(16)
        with self.lock:
            self.sessions[token] = time.monotonic() + self.session_ttl
        return {"session": token, "error_code": OK}

    def check_session(self, token: Any) -> None:
        with self.lock:
            if not isinstance(token, str) or self.sessions.get(token, 0) < time.monotonic():
                self.sessions.pop(token, None) if isinstance(token, str) else None
                raise Invalid("Phiên làm việc không hợp lệ hoặc đã hết hạn", EXPIRED)

    def apply(self, body: dict[str, Any], *, redelivered: bool = False) -> dict[str, Any]:
        """Validate and apply one service call; the reply."""
        service = body.get("service")
        if not isinstance(body.get("madonvi"), str) or not body["madonvi"].strip():
            raise Invalid("madonvi: required")
        handler = {
            "DongBoHoSoMC": self._push,
            "CapNhatTienDoHoSoMC": self._progress,
            "TraCuuHoSo": self._look_up,
            "LayDanhSachTTHC": self._procedures,
            "LayThuTuc": self._procedure,
        }.get(str(service))
        if handler is None:
            raise Invalid(f"service: {service!r} is unknown")
        with self.lock:
            try:
                return handler(body, redelivered)
            finally:
                self.db.commit()

    def _items(self, body: dict[str, Any]) -> list[Any]:
        data = body.get("data")
        if not isinstance(data, list) or not data:
            raise Invalid("data: a non-empty list is required")
        return data

    def _row(self, code: str) -> Any:
        return self.db.execute(
            "SELECT n, madonvi, item, history, progress FROM dossiers WHERE code = ?", (code,)
        ).fetchone()

    def _push(self, body: dict[str, Any], redelivered: bool) -> dict[str, Any]:
        updating = body.get("isUpdating")
        if updating not in ("True", "False"):
            raise Invalid(f'isUpdating: {updating!r} is not "True" or "False"')
        items = self._items(body)
        for item in items:
            validate_dossier(item)
        for item in items:
            code = item["MaHoSo"]
            row = self._row(code)
            if updating == "False" and row is not None:
                if not redelivered:
                    self.problem("create_existing", code, "isUpdating=False for a known dossier")
                raise Invalid(f"Hồ sơ {code} đã tồn tại", EXISTS)
            if updating == "True" and row is None:
                raise Invalid(f"Hồ sơ {code} không tồn tại", NOT_FOUND)
        for item in items:
            code = item["MaHoSo"]
            row = self._row(code)
            history = json.loads(row[3]) if row else []
            if not history or history[-1] != item["TrangThaiHoSo"]:
                history.append(item["TrangThaiHoSo"])
            if row is None:
                self.counter += 1
                n = self.db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM dossiers").fetchone()[0]
                self.db.execute(
                    "INSERT INTO dossiers VALUES (?,?,?,?,?,?)",
                    (code, n, body["madonvi"], json.dumps(item), json.dumps(history), "[]"),
                )
            else:
                self.db.execute(
                    "UPDATE dossiers SET item = ?, history = ?, madonvi = ? WHERE code = ?",
                    (json.dumps(item), json.dumps(history), body["madonvi"], code),
                )
        return {"error_code": OK, "message": f"Đã đồng bộ {len(items)} hồ sơ"}

    def _progress(self, body: dict[str, Any], redelivered: bool) -> dict[str, Any]:
        items = self._items(body)
        for item in items:
            validate_progress(item)
            if self._row(item["MaHoSo"]) is None:
                raise Invalid(f"Hồ sơ {item['MaHoSo']} không tồn tại", NOT_FOUND)
        for item in items:
            code = item["MaHoSo"]
            row = self._row(code)
            assert row is not None
            steps = json.loads(row[4])
            key = (item["ThoiDiemXuLy"], item["TrangThai"], item["NoiDungXuLy"])
            if any((s["ThoiDiemXuLy"], s["TrangThai"], s["NoiDungXuLy"]) == key for s in steps):
                self.problem("redelivered" if redelivered else "duplicate", code, json.dumps(key))
                continue
            if steps and item["ThoiDiemXuLy"] < steps[-1]["ThoiDiemXuLy"]:
                self.problem(
                    "out_of_order",
                    code,
                    f"{item['ThoiDiemXuLy']} after {steps[-1]['ThoiDiemXuLy']}",
                )
            steps.append(item)
            self.db.execute(
                "UPDATE dossiers SET progress = ? WHERE code = ?", (json.dumps(steps), code)
            )
        return {"error_code": OK, "message": f"Đã cập nhật {len(items)} tiến độ"}

    def _look_up(self, body: dict[str, Any], redelivered: bool) -> dict[str, Any]:
        code = body.get("mahoso")
        if not isinstance(code, str) or not code:
            raise Invalid("mahoso: required")
        row = self._row(code)
        if row is None:
            return {"error_code": OK, "result": []}
        item = json.loads(row[2])
        # [S] the look-up's steps: the real service's reply shape is not in either codebase.
        item["DanhSachTienDo"] = json.loads(row[4])
        return {"error_code": OK, "result": [item]}

    def _procedures(self, body: dict[str, Any], redelivered: bool) -> dict[str, Any]:
        rows = self.db.execute("SELECT item FROM catalog ORDER BY code").fetchall()
        items = [json.loads(r[0]) for r in rows]
        return {
            "error_code": OK,
            "result": [{"MATTHC": i["MATTHC"], "TENTTHC": i["TENTTHC"]} for i in items],
        }

    def _procedure(self, body: dict[str, Any], redelivered: bool) -> dict[str, Any]:
        code = body.get("maTTHC")
        if not isinstance(code, str) or not code:
            raise Invalid("maTTHC: required")
        row = self.db.execute("SELECT item FROM catalog WHERE code = ?", (code,)).fetchone()
        return {"error_code": OK, "result": [json.loads(row[0])] if row else []}

    # -- test views -----------------------------------------------------------------------

    def set_catalog(self, items: Any) -> dict[str, Any]:
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("MATTHC"), str) for i in items
        ):
            raise Invalid("catalog: a list of LayThuTuc items with MATTHC")
        with self.lock:
            self.db.execute("DELETE FROM catalog")
            self.db.executemany(
                "INSERT INTO catalog VALUES (?, ?)", [(i["MATTHC"], json.dumps(i)) for i in items]
            )
            self.db.commit()
        return {"procedures": len(items)}

    def dossiers(self) -> dict[str, Any]:
        with self.lock:
            rows = self.db.execute(
                "SELECT code, madonvi, item, history, progress FROM dossiers ORDER BY n"
            ).fetchall()
        return {
            code: {
                "madonvi": unit,
                "item": json.loads(item),
                "history": json.loads(history),
                "progress": json.loads(progress),
            }
            for code, unit, item, history, progress in rows
        }

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute(
                "SELECT n, service, codes, outcome, redelivered FROM calls ORDER BY n"
            ).fetchall()
        return [
            {"n": n, "service": s, "codes": json.loads(c), "outcome": o, "redelivered": bool(r)}
            for n, s, c, o, r in rows
        ]

    def problems(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT kind, code, detail FROM problems ORDER BY n").fetchall()
        return [{"kind": k, "code": c, "detail": d} for k, c, d in rows]

    def reset(self) -> None:
        with self.lock:
            for table in ("dossiers", "calls", "problems"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.commit()
            self.faults.clear()
            self.sessions.clear()


def _codes(body: dict[str, Any]) -> list[str]:
    data = body.get("data")
    if isinstance(data, list):
        return [str(i.get("MaHoSo")) for i in data if isinstance(i, dict)]
    return [str(body["mahoso"])] if body.get("mahoso") else []


class Handler(BaseHTTPRequestHandler):
    portal: Portal
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read /_sim/*
        pass

    def _send(self, status: int, payload: Any = None, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)  # the client may have given up (a time-out fault)
        self.close_connection = True

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise Invalid("body too large")
        raw = self.rfile.read(length)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Invalid("body: malformed JSON") from None

    def do_GET(self) -> None:
        views: dict[str, Callable[[], Any]] = {
            "/_sim/dossiers": self.portal.dossiers,
            "/_sim/received": self.portal.received,
            "/_sim/problems": self.portal.problems,
            "/_sim/health": lambda: {"ok": True},
        }
        view = views.get(self.path.split("?")[0])
        if view is None:
            self._send(404, {"error": "not found"})
        else:
            self._send(200, view())

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        try:
            body = self._body()
        except Invalid as error:
            self._send(400, {"error_code": error.code, "message": str(error)})
            return
        try:
            if path == "/_sim/faults":
                self._send(200, self.portal.add_fault(body if isinstance(body, dict) else {}))
            elif path == "/_sim/catalog":
                self._send(200, self.portal.set_catalog(body))
            elif path == "/_sim/reset":
                self.portal.reset()
                self._send(200, {"reset": True})
            elif path == "/auth":
                self._send(200, self.portal.login(body))
            elif path == "/service":
                self._service(body)
            else:
                self._send(404, {"error": "not found"})
        except Invalid as error:
            self._send(200, {"error_code": error.code, "message": str(error)})

    def _service(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise Invalid("body: an object is required")
        self.portal.check_session(body.get("session"))
        service = str(body.get("service"))
        codes = _codes(body)
        faults = {f["kind"]: f for f in self.portal.take_faults(service)}
        if "error_5xx" in faults:
            self.portal.log(service, codes, "500", False)
            self._send(500, raw=b"<html><body>502 Bad Gateway (simulated)</body></html>")
            return
        if "refuse" in faults:
            self.portal.log(service, codes, "refused", False)
            self._send(200, {"error_code": REFUSED, "message": "Lỗi hệ thống (giả lập)"})
            return
        if "reorder" in faults:
            time.sleep(faults["reorder"]["seconds"])
        try:
            reply = self.portal.apply(body)
            self.portal.log(service, codes, "ok", False)
        except Invalid as error:
            self.portal.log(service, codes, f"error {error.code}: {error}", False)
            reply = {"error_code": error.code, "message": str(error)}
        if "twice" in faults:
            try:
                self.portal.apply(body, redelivered=True)
                self.portal.log(service, codes, "ok", True)
            except Invalid as error:
                self.portal.log(service, codes, f"error {error.code}: {error}", True)
        if "timeout" in faults:
            time.sleep(faults["timeout"]["seconds"])
        if "garbage" in faults:
            self._send(200, raw=b'{"error_code": 0, "message": "Th')
            return
        self._send(200, reply)


def serve(port: int, state_dir: Path, username: str, password: str, session_ttl: float) -> None:
    portal = Portal(state_dir, username, password, session_ttl)
    handler = type("BoundHandler", (Handler,), {"portal": portal})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    print(f"national portal simulator on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="National Public Service Portal simulator")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--username", default="motcua")
    parser.add_argument("--password", default="motcua-sim")
    parser.add_argument("--session-ttl", type=float, default=3600.0)
    args = parser.parse_args(argv)
    serve(args.port, args.state_dir, args.username, args.password, args.session_ttl)


if __name__ == "__main__":
    main()
