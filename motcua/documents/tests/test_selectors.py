"""Which printed forms apply to a dossier: one function (documents.selectors) for the dossier
page's list and the print address."""

from __future__ import annotations

from motcua.core.workflow import Action
from motcua.documents.selectors import PrintedForm, form_applies, printable_forms
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import build_world, local


def test_the_forms_follow_the_dossier(db):
    world = build_world()
    online = world.create(channel="online", at="01/04/2024 08:00")
    assert printable_forms(online, online.events.all()) == []
    refused = dossier_transition(
        dossier_id=online.pk,
        action=Action.REFUSE,
        actor=world.clerk,
        reason="Không thuộc thẩm quyền",
        details=Details(),
        at=local("01/04/2024 09:00"),
    )
    assert printable_forms(refused, refused.events.all()) == [PrintedForm.REFUSAL]

    received = world.create(at="01/04/2024 08:00")
    assert printable_forms(received, received.events.all()) == [
        PrintedForm.RECEIPT,
        PrintedForm.CONTROL_SHEET,
    ]
    dossier_transition(
        dossier_id=received.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        details=Details(),
        at=local("01/04/2024 08:05"),
    )
    waiting = dossier_transition(
        dossier_id=received.pk,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.officer,
        reason="Thiếu bản vẽ",
        details=Details(),
        at=local("01/04/2024 09:00"),
    )
    forms = printable_forms(waiting, waiting.events.all())
    assert forms == [PrintedForm.RECEIPT, PrintedForm.SUPPLEMENT, PrintedForm.CONTROL_SHEET]
    # Without the events in hand, the same answer from the database.
    assert [f for f in PrintedForm if form_applies(waiting, f)] == forms
