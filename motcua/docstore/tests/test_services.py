"""The document store's writes: add (idempotent, bad input refused) and reuse (same person,
valid, once per component), with the dossiers' ledger kept equal."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.docstore.errors import AlreadyReused, DocumentNotFound, InvalidInput, ReuseRefused
from motcua.docstore.models import DocumentReuse, DocumentView, StoredDocument
from motcua.docstore.selectors import (
    document_bytes,
    reusable_for_dossier,
)
from motcua.docstore.services import document_reuse, document_store_add, document_view_log
from motcua.docstore.tests.conftest import BIRTH, OTHER_PERSON, PDF, PERSON, dossier_for, pdf
from motcua.dossiers import figures
from motcua.dossiers.models import DossierFile

pytestmark = pytest.mark.django_db


def add(**overrides):
    values = {
        "id_number": PERSON,
        "name": BIRTH,
        "data": pdf("a"),
        "content_type": "application/pdf",
        "source_dossier_id": None,
        "source_component_id": None,
    }
    return document_store_add(**(values | overrides))


def test_add_keeps_the_document_with_its_details_and_its_own_copy(stored):
    # given the fixture's add
    document = StoredDocument.objects.get()
    # then
    assert document == stored.document
    assert document.id_number == PERSON
    assert document.name == BIRTH
    assert document.name_key == "giấy khai sinh"
    assert document.issuer == "UBND phường Đức Xuân"
    assert document.number == "123/2019"
    assert document.issued_on == date(2019, 5, 4)
    assert document.source_dossier == stored.first
    assert document.source_component == stored.first.components.get(name=BIRTH)
    assert document.content_type == "application/pdf"
    assert document.size == len(pdf("birth"))
    assert document.file.name.startswith("docstore/")
    assert document_bytes(document) == pdf("birth")


def test_adding_the_same_file_twice_for_the_same_person_is_one_document(world):
    first = add(number="1")
    again = add(number="2", name="Another name")
    assert again.pk == first.pk
    assert StoredDocument.objects.count() == 1
    assert StoredDocument.objects.get().number == "1"
    # The same bytes for another person are that person's own document.
    theirs = add(id_number=OTHER_PERSON)
    assert theirs.pk != first.pk
    assert StoredDocument.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "00619001234X"}, "id_number"),
        ({"id_number": ""}, "id_number"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 501}, "name"),
        ({"issuer": "x" * 301}, "issuer"),
        ({"data": b""}, "data"),
        ({"data": b"MZ\x90\x00 not a scan"}, "data"),
        ({"content_type": "image/png"}, "content_type"),
        ({"issued_on": date(2020, 1, 2), "valid_until": date(2020, 1, 1)}, "valid_until"),
        ({"source_dossier_id": 999999}, "source_dossier"),
        ({"source_component_id": 999999}, "source_component"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(world, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        add(**overrides)
    assert refused.value.field == field
    assert refused.value.message
    assert StoredDocument.objects.count() == 0


def test_a_file_larger_than_the_upload_limit_is_refused(world, settings):
    settings.MOTCUA_DOSSIERS = {**settings.MOTCUA_DOSSIERS, "UPLOAD_MAX_BYTES": 100}
    with pytest.raises(InvalidInput) as refused:
        add(data=PDF + b" " * 200)
    assert refused.value.field == "data"
    assert StoredDocument.objects.count() == 0


def test_reuse_in_the_same_persons_next_dossier_attaches_the_file_and_digitises(world, stored):
    # given the person's next dossier, whose birth certificate is neither scanned nor digitised
    nxt = dossier_for(world, PERSON, "GIẤY KHAI  SINH", "Tờ khai", at="03/01/2024 09:00")
    component = nxt.components.get(name="GIẤY KHAI  SINH")
    assert not component.digitised
    assert figures.ledger_differences() == {}
    rows = reusable_for_dossier(nxt, StoredDocument.objects.filter(id_number=PERSON), date.today())
    assert [[d.pk for d in row.matches] for row in rows] == [[stored.document.pk], []]
    # when
    reuse = document_reuse(
        document_id=stored.document.pk,
        dossier_id=nxt.pk,
        component_id=component.pk,
        actor=world.clerk,
    )
    # then
    assert DocumentReuse.objects.get() == reuse
    assert (reuse.dossier, reuse.component, reuse.actor) == (nxt, component, world.clerk)
    attached = DossierFile.objects.get(dossier=nxt)
    assert reuse.dossier_file == attached
    assert attached.component == component
    assert attached.kind == DossierFile.Kind.COMPONENT
    assert attached.sha256 == stored.document.sha256
    component.refresh_from_db()
    assert component.digitised
    # What 766 4.3 and the national sync count: the component, reused (the first dossier's not).
    assert (component.reusable, component.reused) == (True, True)
    assert not stored.first.components.filter(reused=True).exists()
    assert figures.ledger_differences() == {}
    row = reusable_for_dossier(nxt, StoredDocument.objects.all(), date.today())[0]
    assert row.has_file
    assert row.reused == {stored.document.pk}


def test_reuse_for_another_persons_dossier_is_refused(world, stored):
    theirs = dossier_for(world, OTHER_PERSON, at="03/01/2024 09:00")
    with pytest.raises(ReuseRefused) as refused:
        document_reuse(
            document_id=stored.document.pk,
            dossier_id=theirs.pk,
            component_id=theirs.components.get(name=BIRTH).pk,
            actor=world.clerk,
        )
    assert refused.value.field == "document"
    assert not DocumentReuse.objects.exists()
    assert not DossierFile.objects.filter(dossier=theirs).exists()
    assert not theirs.components.filter(digitised=True).exists()


def test_an_expired_document_is_refused(world, stored):
    StoredDocument.objects.filter(pk=stored.document.pk).update(valid_until=date(2020, 1, 1))
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    with pytest.raises(ReuseRefused) as refused:
        document_reuse(
            document_id=stored.document.pk,
            dossier_id=nxt.pk,
            component_id=nxt.components.get(name=BIRTH).pk,
            actor=world.clerk,
        )
    assert refused.value.field == "document"
    assert "01/01/2020" in refused.value.message
    assert not DocumentReuse.objects.exists()
    # Nor is it offered.
    rows = reusable_for_dossier(nxt, StoredDocument.objects.all(), date.today())
    assert all(row.matches == [] for row in rows)


def test_a_second_reuse_for_the_same_component_is_told_and_changes_nothing(world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    component = nxt.components.get(name=BIRTH)
    args = {
        "document_id": stored.document.pk,
        "dossier_id": nxt.pk,
        "component_id": component.pk,
        "actor": world.clerk,
    }
    document_reuse(**args)
    with pytest.raises(AlreadyReused) as told:
        document_reuse(**args)
    assert told.value.field == "document"
    assert DocumentReuse.objects.count() == 1
    assert DossierFile.objects.filter(dossier=nxt).count() == 1


def test_a_component_of_another_dossier_is_refused(world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    with pytest.raises(InvalidInput) as refused:
        document_reuse(
            document_id=stored.document.pk,
            dossier_id=nxt.pk,
            component_id=stored.first.components.get(name=BIRTH).pk,
            actor=world.clerk,
        )
    assert refused.value.field == "component"
    assert not DocumentReuse.objects.exists()


def test_a_clerk_who_may_not_act_on_the_dossier_is_refused(world, stored):
    # The other ward's clerk covers neither the city's desk nor the justice office.
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    with pytest.raises(DocumentNotFound) as refused:
        document_reuse(
            document_id=stored.document.pk,
            dossier_id=nxt.pk,
            component_id=nxt.components.get(name=BIRTH).pk,
            actor=world.other_clerk,
        )
    assert refused.value.field == "dossier"
    assert not DocumentReuse.objects.exists()


def test_a_stored_file_changed_on_disk_is_not_reused(world, stored, media):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    # The fixture's transaction never commits: the file is still under its pending name.
    storage = stored.document.file.storage
    name = stored.document.file.name
    path = storage.path(name) if storage.exists(name) else storage.path(f"pending/{name}")
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ReuseRefused):
        document_reuse(
            document_id=stored.document.pk,
            dossier_id=nxt.pk,
            component_id=nxt.components.get(name=BIRTH).pk,
            actor=world.clerk,
        )
    assert not DocumentReuse.objects.exists()
    assert not DossierFile.objects.filter(dossier=nxt).exists()


def test_view_log_writes_one_row_per_document(world, stored):
    second = add(data=pdf("second"))
    written = document_view_log(
        document_ids=[stored.document.pk, second.pk, stored.document.pk],
        viewer=world.clerk,
        reason="download",
        dossier_id=stored.first.pk,
    )
    assert written == 2
    rows = DocumentView.objects.order_by("document_id")
    assert [(r.document_id, r.reason, r.viewer, r.dossier) for r in rows] == [
        (stored.document.pk, "download", world.clerk, stored.first),
        (second.pk, "download", world.clerk, stored.first),
    ]
    assert rows[0].viewer_name == world.clerk.full_name
