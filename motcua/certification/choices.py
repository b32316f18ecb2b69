"""The kinds of paper a copy is certified from: each kind has its own numbering (Circular
01/2020/TT-BTP Art. 4: a certification number per document type, not per request)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """The paper the original is; the list is the common ones at a commune desk (domain notes
    §4; the official list of types is NOT CONFIRMED, "other" takes the rest)."""

    IDENTITY_CARD = "identity_card", _("Identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    DIPLOMA = "diploma", _("Diploma or certificate")
    LAND_USE_CERTIFICATE = "land_use_certificate", _("Land-use right certificate")
    OTHER = "other", _("Other paper")


# The short code of each type in the printed number (MOTCUA_CERTIFICATION_NUMBER_FORMAT's
# {code}): two copies of different types may share a number in a year, so the printed
# number names the type too.
TYPE_CODES = {
    DocumentType.IDENTITY_CARD: "CC",
    DocumentType.BIRTH_CERTIFICATE: "KS",
    DocumentType.DIPLOMA: "VB",
    DocumentType.LAND_USE_CERTIFICATE: "GCN",
    DocumentType.OTHER: "K",
}

# The type's name as printed on the certification page: the legal form is Vietnamese in every
# interface language.
TYPE_NAMES_VI = {
    DocumentType.IDENTITY_CARD: "Thẻ căn cước / Căn cước công dân",
    DocumentType.BIRTH_CERTIFICATE: "Giấy khai sinh",
    DocumentType.DIPLOMA: "Văn bằng, chứng chỉ",
    DocumentType.LAND_USE_CERTIFICATE: "Giấy chứng nhận quyền sử dụng đất",
    DocumentType.OTHER: "Giấy tờ khác",
}


class Outcome(models.TextChoices):
    """What the public check of a presented file found."""

    MATCH = "match", _("The file matches the signed copy")
    MISMATCH = "mismatch", _("The file does not match the signed copy")
    # Byte-identical, but its signature does not verify now (e.g. a trust root was withdrawn).
    SIGNATURE_PROBLEM = "signature_problem", _("The signature is not intact or not trusted")
