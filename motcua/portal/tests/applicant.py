"""The applicant the tests submit online as: the portal form's applicant fields."""

from __future__ import annotations

APPLICANT_FIELDS = {
    "applicant_name": "Nguyễn Văn An",
    "applicant_id_number": "006090001234",
    "applicant_phone": "0912 345 678",
    "applicant_email": "an@example.org",
    "applicant_address": "Tổ 1, phường Đức Xuân",
}
