"""Kinds and levels of administrative units and agencies (domain spec §10, §1.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """Tier in the administrative tree. The district tier exists only before 1 July 2025."""

    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")
    VILLAGE = "village", _("Village level")


class UnitKind(models.TextChoices):
    """What a unit is called (tỉnh, thành phố, phường, xã, thôn, tổ dân phố…)."""

    PROVINCE = "province", _("Province")
    CENTRAL_CITY = "central_city", _("Centrally-run city")
    CITY = "city", _("Provincial city")
    TOWN = "town", _("Town")
    DISTRICT = "district", _("Rural district")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")


LEVEL_OF_KIND: dict[str, str] = {
    UnitKind.PROVINCE: UnitLevel.PROVINCE,
    UnitKind.CENTRAL_CITY: UnitLevel.PROVINCE,
    UnitKind.CITY: UnitLevel.DISTRICT,
    UnitKind.TOWN: UnitLevel.DISTRICT,
    UnitKind.DISTRICT: UnitLevel.DISTRICT,
    UnitKind.URBAN_DISTRICT: UnitLevel.DISTRICT,
    UnitKind.WARD: UnitLevel.COMMUNE,
    UnitKind.COMMUNE: UnitLevel.COMMUNE,
    UnitKind.TOWNSHIP: UnitLevel.COMMUNE,
    UnitKind.SPECIAL_ZONE: UnitLevel.COMMUNE,
    UnitKind.VILLAGE: UnitLevel.VILLAGE,
    UnitKind.RESIDENTIAL_GROUP: UnitLevel.VILLAGE,
}


class SuccessionKind(models.TextChoices):
    MERGER = "merger", _("Merger")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Renaming")
    TRANSFER = "transfer", _("Transfer to another parent")


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    DEPARTMENT = "department", _("Specialised department")
    ONE_STOP = "one_stop", _("One-stop section")
    SERVICE_CENTRE = "service_centre", _("Public administration service centre")
    OTHER = "other", _("Other agency")


# Depth of each tier from the top: a parent's rank is always smaller than its child's, in the
# three-level model (province → district → commune) as in the two-level one (province → commune).
LEVEL_RANK: dict[str, int] = {
    UnitLevel.PROVINCE: 0,
    UnitLevel.DISTRICT: 1,
    UnitLevel.COMMUNE: 2,
    UnitLevel.VILLAGE: 3,
}
