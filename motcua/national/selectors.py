"""Reads of the national sync: its settings, the scope of units, the payloads as documented in
integrations-vn.md §1.2 (OpenCPS DVCQGIntegrationActionTerm.java [C] for the 2018-2021 fields,
HuanVu201 SyncLocalDataToDVCQGService.cs [C] for the fields added since, 2024)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.choices import ApplicantKind, Channel, ReturnMethod, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import paid_online_methods
from motcua.national.mapping import MappingTable
from motcua.national.models import NationalRecord, Reconciliation
from motcua.payments.choices import PaymentEventKind
from motcua.units.models import AdministrativeUnit

# 24-hour, local time (OpenCPS LUCENE_DATE_FORMAT "yyyyMMddHHmmss", Asia/Ho_Chi_Minh [C]).
WIRE_FORMAT = "%Y%m%d%H%M%S"
# KenhThucHien 1 direct / 2 online / 3 postal (OpenCPS KENH labels [C], HuanVu201 [C]).
CHANNEL_CODES = {Channel.DIRECT: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}


@dataclass(frozen=True)
class NationalConfig:
    """MOTCUA_NATIONAL, checked (docs/national.md "Settings")."""

    enabled: bool
    auth_url: str
    service_url: str
    username: str
    password: str
    unit_codes: dict[str, str]
    timeout: float
    batch_size: int
    retry_seconds: int
    sync_seconds: int
    reconcile_time: str
    exists_codes: frozenset[str]
    session_expired_codes: frozenset[str]

    @property
    def default_unit_code(self) -> str:
        """madonvi of calls about no one dossier (look-ups of the catalogue): the first one."""
        return next(iter(self.unit_codes.values()), "")


def _unit_codes(text: str) -> dict[str, str]:
    codes: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.replace("\n", ",").split(","))):
        local, sep, national = (x.strip() for x in item.partition("="))
        if not sep or not local or not national:
            raise ImproperlyConfigured(
                f"MOTCUA_NATIONAL_UNIT_CODES: {item!r} is not local_code=national_code"
            )
        codes[local] = national
    return codes


def national_config() -> NationalConfig:
    """The settings; raises ``ImproperlyConfigured`` naming the bad one (only when enabled,
    except for the unit codes, which are checked always)."""
    raw: dict[str, Any] = settings.MOTCUA_NATIONAL
    enabled = bool(raw.get("ENABLED"))
    config = NationalConfig(
        enabled=enabled,
        auth_url=str(raw.get("AUTH_URL") or ""),
        service_url=str(raw.get("SERVICE_URL") or ""),
        username=str(raw.get("USERNAME") or ""),
        password=str(raw.get("PASSWORD") or ""),
        unit_codes=_unit_codes(str(raw.get("UNIT_CODES") or "")),
        timeout=float(raw.get("TIMEOUT_SECONDS") or 30),
        batch_size=int(raw.get("BATCH_SIZE") or 200),
        retry_seconds=int(raw.get("RETRY_SECONDS", 60)),
        sync_seconds=int(raw.get("SYNC_SECONDS") or 60),
        reconcile_time=str(raw.get("RECONCILE_TIME") or "23:00"),
        exists_codes=frozenset(str(c) for c in raw.get("EXISTS_CODES") or ()),
        session_expired_codes=frozenset(str(c) for c in raw.get("SESSION_EXPIRED_CODES") or ()),
    )
    if enabled:
        for name in ("auth_url", "service_url", "username", "password"):
            if not getattr(config, name):
                raise ImproperlyConfigured(f"MOTCUA_NATIONAL_{name.upper()} is empty")
        if not config.unit_codes:
            raise ImproperlyConfigured("MOTCUA_NATIONAL_UNIT_CODES is empty")
        if config.timeout <= 0 or config.batch_size < 1:
            raise ImproperlyConfigured(
                "MOTCUA_NATIONAL_TIMEOUT_SECONDS and _BATCH_SIZE must be positive"
            )
    return config


class UnitScope:
    """Which national unit code (madonvi) a dossier goes under: its receiving unit's, or the
    nearest mapped ancestor's; none, and the dossier is not synchronised. Caches the tree."""

    def __init__(self, codes: dict[str, str]) -> None:
        self.codes = codes
        self._parents: dict[int, tuple[str, int | None]] = {}
        self._found: dict[int | None, str] = {}

    def _unit(self, unit_id: int) -> tuple[str, int | None]:
        if unit_id not in self._parents:
            code, parent = AdministrativeUnit.objects.values_list("code", "parent_id").get(
                pk=unit_id
            )
            self._parents[unit_id] = (code, parent)
        return self._parents[unit_id]

    def national_code(self, unit_id: int | None) -> str:
        if unit_id in self._found:
            return self._found[unit_id]
        found, current, seen = "", unit_id, 0
        while current is not None and seen < 10:  # a unit tree is four levels deep at most
            code, parent = self._unit(current)
            if code in self.codes:
                found = self.codes[code]
                break
            current, seen = parent, seen + 1
        self._found[unit_id] = found
        return found


def wire_moment(value: datetime | None) -> str:
    """A moment as the portal wants it: yyyyMMddHHmmss, 24-hour, Vietnam time; "" for none."""
    return value.astimezone(LOCAL_TZ).strftime(WIRE_FORMAT) if value else ""


def _until(value: datetime | None, at: datetime) -> datetime | None:
    """``value`` if it had happened by ``at``: a payload is the dossier as of its event."""
    return value if value is not None and value <= at else None


def _online_paid(dossier: Dossier, at: datetime) -> bool:
    from motcua.payments.models import PaymentEvent

    return PaymentEvent.objects.filter(
        payment__dossier=dossier,
        kind=PaymentEventKind.SUCCEEDED,
        method__in=sorted(paid_online_methods()),
        at__lte=at,
    ).exists()


def dossier_payload(dossier: Dossier, event: DossierEvent, table: MappingTable) -> dict[str, Any]:
    """The DongBoHoSoMC item of ``dossier`` as of ``event``: its status is the event's, and a
    date that had not happened by then is left out, so a dossier caught up late is sent step
    by step and never shows a later state early. Field names: OpenCPS [C], HuanVu201 [C]."""
    at = event.at
    version = dossier.procedure_version
    status = event.to_status
    received = _until(dossier.received_at, at)
    resolved = _until(dossier.resolved_at, at)
    ended = _until(dossier.ended_at, at)
    returned = _until(dossier.returned_at, at)
    due = dossier.due_at if received else None
    reappointed = [e for e in dossier.extensions.all() if e.created_at <= at]
    if reappointed:
        due = reappointed[-1].new_due_at
    components = list(dossier.components.all())
    fees = []
    online = paid_online_methods()
    for payment in dossier.payments.all():
        paid = [e for e in payment.events.all() if e.at <= at]
        fees.append(
            {
                "TenPhiLePhi": payment.description,
                "MaPhiLePhi": f"{dossier.code}-{payment.pk}",
                "HinhThucThu": 2 if any(e.method in online for e in paid) else 1,
                "Gia": payment.amount,
                "LoaiPhiLePhi": 1,  # [S] 1 fee / 2 charge: motcua does not tell them apart yet
            }
        )
    supplements = [
        {
            "HoSoBoSungId": pause.pk,
            "NgayBoSung": wire_moment(pause.started_at),
            "NgayTiepNhanBoSung": wire_moment(_until(pause.ended_at, at)),
            "NoiDungBoSung": pause.note,
            "TrangThaiBoSung": 1 if _until(pause.ended_at, at) else 0,
        }
        for pause in dossier.pauses.all()
        if pause.reason == "supplement" and pause.started_at <= at
    ] + [
        {
            "HoSoBoSungId": f"GH{ext.pk}",
            "NgayHenTraTruoc": wire_moment(ext.old_due_at),
            "NgayHenTraMoi": wire_moment(ext.new_due_at),
            "NoiDungBoSung": ext.reason,
        }
        for ext in reappointed
    ]
    results = [
        {"GiayToId": f.pk, "TenGiayTo": f.original_name, "DuongDanTepTinKetQua": ""}
        for f in dossier.files.all()
        if f.kind == "result" and f.uploaded_at <= at
    ]
    agency = dossier.current_agency or dossier.competent_agency or dossier.receiving_agency
    return {
        "MaHoSo": dossier.code,  # exactly as issued: never rewritten (§1.2 dossier-code smell)
        "MaTTHC": version.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "TenLinhVuc": version.field.name,
        "SoBienNhan": dossier.code,  # the receipt (form 01) carries the dossier code [M]
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 2 if dossier.applicant_kind == ApplicantKind.ORGANISATION else 1,
        # [S] the national identity key (TechID) is not stored yet: the ID number stands in.
        "MaDoiTuong": dossier.applicant_id_number,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": dossier.summary or version.name,
        "NgayTiepNhan": wire_moment(received or dossier.submitted_at),
        "NgayHenTra": wire_moment(due),
        "TrangThaiHoSo": table.code_for(status),
        "NgayTra": wire_moment(returned),
        # HinhThuc 0 at the counter / 1 by post (OpenCPS [C]).
        "HinhThuc": 1 if dossier.return_method == ReturnMethod.POST else 0,
        "NgayKetThucXuLy": wire_moment(resolved or ended),
        "DonViXuLy": agency.name,
        "TaiLieuNop": [
            {
                "TepDinhKemId": c.pk,
                "TenTepDinhKem": c.name,
                "IsDeleted": False,
                "MaThanhPhanHoSo": str(c.pk),
                "DuongDanTaiTepTin": "",
                "DuocSoHoa": 1 if c.digitised else 0,
                # 0 new / 1 reused from the applicant's store / 2 from the national store [M].
                "DuocTaiSuDung": 1 if c.reused else 0,
                "DuocLayTuKhoDMQG": 0,
            }
            for c in components
        ],
        "DanhSachLePhi": fees,
        "DanhSachHoSoBoSung": supplements,
        "DanhSachGiayToKetQua": results,
        # The 2024 fields (HuanVu201 [C]; they feed the Decision 766 scores).
        "KenhThucHien": CHANNEL_CODES[Channel(dossier.channel)],
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "NoiNopHoSo": dossier.receiving_agency.name,
        "HoSoCoThanhPhanSoHoa": 1 if any(c.digitised for c in components) else 0,
        # The applicant signed in with VNeID when submitting (motcua.citizens).
        "TaiKhoanDuocXacThucVoiVNeID": 1 if dossier.applicant_verified else 0,
        "DuocThanhToanTrucTuyen": 1 if _online_paid(dossier, at) else 0,
        "NgayTuChoi": wire_moment(ended if status == Status.REFUSED else None),
        "NgayNopHoSo": wire_moment(dossier.submitted_at),
        "DinhDanhCHS": [{"SoDinhDanh": dossier.applicant_id_number}]
        if dossier.applicant_id_number
        else [],
        "DSKetNoiCSDL": [],
    }


def progress_payload(dossier: Dossier, event: DossierEvent, table: MappingTable) -> dict[str, Any]:
    """The CapNhatTienDoHoSoMC item of one event (OpenCPS field names [C])."""
    agency = dossier.current_agency or dossier.competent_agency or dossier.receiving_agency
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor_name,
        "ChucDanh": "",
        "ThoiDiemXuLy": wire_moment(event.at),
        "PhongBanXuLy": agency.name,
        "NoiDungXuLy": event.reason or event.get_action_display(),
        "TrangThai": table.code_for(event.to_status),
        "NgayBatDau": wire_moment(event.at),
        "NgayKetThucTheoQuyDinh": wire_moment(dossier.effective_due_at or dossier.due_at),
    }


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def dossier_for_sync(dossier_id: int) -> Dossier:
    """The dossier with what its payloads read, in few queries."""
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "procedure_version__field",
            "receiving_agency",
            "competent_agency",
            "current_agency",
        )
        .prefetch_related("components", "pauses", "extensions", "payments__events", "files")
        .get(pk=dossier_id)
    )


def events_to_send(record: NationalRecord) -> QuerySet[DossierEvent]:
    """The record's events after the acknowledged one, up to the newest seen, in order."""
    return DossierEvent.objects.filter(
        dossier_id=record.dossier_id, seq__gt=record.acked_seq, seq__lte=record.wanted_seq
    ).order_by("seq")


def records_due(now: datetime, limit: int) -> list[int]:
    """Ids of records with events waiting whose time has come (oldest waiting first)."""
    from django.db.models import Q

    return list(
        NationalRecord.objects.filter(pending=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def failing_records(limit: int = 20) -> list[NationalRecord]:
    """Dossiers whose events wait after a failure, longest failing first (for `status`)."""
    return list(
        NationalRecord.objects.filter(pending=True, attempts__gt=0).order_by("-attempts", "code")[
            :limit
        ]
    )


def latest_reconciliation() -> Reconciliation | None:
    return Reconciliation.objects.order_by("-ran_at", "-pk").first()


def sync_status() -> dict[str, int]:
    """Counts for the command's summary."""
    records = NationalRecord.objects.all()
    return {
        "records": records.count(),
        "pending": records.filter(pending=True).count(),
        "failing": records.filter(pending=True, attempts__gt=0).count(),
    }
