"""Compound actions (dossiers.actions): each is one transaction, whoever calls it."""

from __future__ import annotations

from io import BytesIO

import pytest

from motcua.core.workflow import Action
from motcua.dossiers.actions import Scan, dossier_decide_with_result, dossier_receive_with_scans
from motcua.dossiers.choices import Status
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import Applicant, Component, Details, dossier_transition
from motcua.dossiers.tests.conftest import local

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOT_A_PDF = b"MZ\x90\x00 a program named like a PDF"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _receive(world, scans):
    return dossier_receive_with_scans(
        procedure=world.procedure,
        receiving_agency=world.city_desk,
        applicant=Applicant(name="Nguyễn Thị Minh Khai", id_number="006190012345"),
        components=[Component("Tờ khai", originals=1, digitised=True), Component("Bản vẽ")],
        scans=scans,
        actor=world.clerk,
    )


def test_receiving_with_scans_attaches_each_to_its_component(world):
    created = _receive(world, [Scan(0, BytesIO(PDF), "to-khai.pdf", "c1_file")])
    stored = DossierFile.objects.get(dossier=created.dossier)
    assert (stored.kind, stored.component.name) == (DossierFile.Kind.COMPONENT, "Tờ khai")


def test_a_refused_scan_receives_nothing_and_names_its_field(world):
    scans = [
        Scan(0, BytesIO(PDF), "to-khai.pdf", "c1_file"),
        Scan(1, BytesIO(NOT_A_PDF), "ban-ve.pdf", "c2_file"),
    ]
    with pytest.raises(InvalidInput) as refused:
        _receive(world, scans)
    assert refused.value.field == "c2_file"
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()


def test_a_refused_result_file_undoes_the_approval(world):
    dossier = world.create(at="01/04/2024 08:00")
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        details=Details(),
        at=local("01/04/2024 08:05"),
    )
    with pytest.raises(InvalidInput):
        dossier_decide_with_result(
            dossier_id=dossier.pk,
            action=Action.APPROVE,
            actor=world.officer,
            expected_version=dossier.version,
            details=Details(),
            result=BytesIO(NOT_A_PDF),
            result_name="ket-qua.pdf",
        )
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.status, after.version) == (Status.IN_PROCESSING, dossier.version)
    assert not DossierFile.objects.filter(dossier=dossier).exists()

    approved = dossier_decide_with_result(
        dossier_id=dossier.pk,
        action=Action.APPROVE,
        actor=world.officer,
        expected_version=dossier.version,
        details=Details(),
        result=BytesIO(PDF),
        result_name="ket-qua.pdf",
    )
    assert approved.status == Status.RESOLVED
    assert DossierFile.objects.get(dossier=dossier).kind == DossierFile.Kind.RESULT
