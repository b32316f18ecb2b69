"""Fixtures for document-store tests: the dossiers' small world (a city, two wards, their
desks and clerks), files in a temporary media folder, and a person's first dossier with a
stored birth certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from motcua.docstore.models import StoredDocument
from motcua.docstore.services import document_store_add
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Component
from motcua.dossiers.tests.world import World, build_world

PERSON = "006190012345"
OTHER_PERSON = "001203004005"
BIRTH = "Giấy khai sinh"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17


def pdf(tag: str) -> bytes:
    """A distinct small PDF (a different hash per tag)."""
    return b"%PDF-1.4\n% " + tag.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db, media) -> World:
    return build_world()


def dossier_for(world: World, id_number: str = PERSON, *components: str, **kwargs) -> Dossier:
    """A dossier of the person with ``id_number`` received at the city's desk."""
    names = components or (BIRTH, "Tờ khai")
    return world.create(
        applicant=Applicant(name="Nguyễn Thị Minh Khai", id_number=id_number, phone="0912345678"),
        components=[Component(name, originals=1) for name in names],
        **kwargs,
    )


@dataclass
class Stored:
    first: Dossier
    document: StoredDocument


@pytest.fixture
def stored(world) -> Stored:
    """The person's first dossier, and its birth certificate kept in the store."""
    first = dossier_for(world, PERSON, BIRTH, at="02/01/2024 08:00")
    component = first.components.get(name=BIRTH)
    document = document_store_add(
        id_number=PERSON,
        name=BIRTH,
        data=pdf("birth"),
        content_type="application/pdf",
        source_dossier_id=first.pk,
        source_component_id=component.pk,
        issuer="UBND phường Đức Xuân",
        number="123/2019",
        issued_on=date(2019, 5, 4),
        actor=world.clerk,
    )
    return Stored(first, document)
