"""Revocation, and the dossier's electronic-certification figure coming from the register."""

from __future__ import annotations

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.certification.errors import AlreadyRevoked, InvalidInput
from motcua.certification.services import copy_revoke
from motcua.dossiers.figures import ledger_differences
from motcua.dossiers.models import Dossier


@pytest.fixture
def certification_dossier(world):
    ProcedureVersion.objects.filter(pk=world.procedure.pk).update(is_certification=True)
    world.procedure.refresh_from_db()
    return world.create()


def test_the_figure_follows_the_register(certify, world, certification_dossier):
    dossier = certification_dossier
    first = certify(dossier_id=dossier.pk, actor=world.clerk, unit_id=world.city.pk)
    second = certify(dossier_id=dossier.pk, actor=world.clerk, unit_id=world.city.pk)
    dossier.refresh_from_db()
    assert dossier.electronic_certification is True
    assert ledger_differences() == {}

    copy_revoke(copy_id=first.pk, actor=world.clerk, reason="Cấp nhầm")
    assert Dossier.objects.get(pk=dossier.pk).electronic_certification is True  # one still valid
    copy_revoke(copy_id=second.pk, actor=world.leader, reason="Bản chính bị làm giả")
    assert Dossier.objects.get(pk=dossier.pk).electronic_certification is False
    assert ledger_differences() == {}


def test_revoking_needs_a_reason_and_happens_once(certify, world):
    entry = certify()
    with pytest.raises(InvalidInput) as missing:
        copy_revoke(copy_id=entry.pk, actor=world.ward_clerk, reason="  ")
    assert missing.value.field == "reason"
    revoked = copy_revoke(copy_id=entry.pk, actor=world.ward_clerk, reason="Cấp nhầm")
    assert revoked.revoked_at is not None
    assert revoked.revoked_by == world.ward_clerk
    with pytest.raises(AlreadyRevoked):
        copy_revoke(copy_id=entry.pk, actor=world.ward_clerk, reason="Lần hai")
    entry.refresh_from_db()
    assert entry.revocation_reason == "Cấp nhầm"  # stays in the register


def test_a_clerk_of_another_unit_may_not_certify(certify, world):
    from motcua.certification.errors import NotPermitted

    with pytest.raises(NotPermitted):
        certify(actor=world.other_clerk)
