"""Declaration forms end to end: the catalogue import, the answers service, the counter page,
the officer's view and the printed declaration.

Data: units, the demo catalogue and its declaration forms, the demo staff (once for the
module); each test makes its own dossiers (rolled back after it).
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from motcua.accounts.models import User
from motcua.backoffice.tests.staff import demo_staff_load
from motcua.catalog.admin import DeclarationFormAdminForm
from motcua.catalog.models import DeclarationForm
from motcua.catalog.selectors import procedure_in_force
from motcua.catalog.services import (
    DEMO_FORMS_PATH,
    CatalogImportError,
    declaration_forms_import,
    load_demo_declaration_forms,
)
from motcua.documents.printouts import place_of
from motcua.dossiers.choices import Channel
from motcua.dossiers.errors import DossierError
from motcua.dossiers.history import HEADER, HistoryImportError, export_history, import_history
from motcua.dossiers.models import Dossier, DossierDeclaration
from motcua.dossiers.services import Applicant, dossier_create, dossier_declaration_record
from motcua.eforms.display import answer_lines
from motcua.eforms.forms import DeclarationAnswersForm
from motcua.eforms.selectors import declaration_for, declaration_of
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit, Agency

# City-level certified copies (demo catalogue; the city's one-stop desk receives it).
COPY_PROCEDURE = "1.001789"
RECEIVE_URL = f"/mot-cua/tiep-nhan/{COPY_PROCEDURE}/"


@pytest.fixture(scope="module")
def world(bac_kan_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_staff_load()
        load_demo_declaration_forms()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def clerk(world, db) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="motcua.thanhpho"))
    return client


def commune_code() -> str:
    unit = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).order_by("code").first()
    assert unit is not None
    return unit.code


def copy_form() -> DeclarationForm:
    version = procedure_in_force(COPY_PROCEDURE, timezone.localdate())
    assert version is not None
    form = declaration_for(version)
    assert form is not None
    assert form.code == "TK-CTBS-H"
    return form


def new_dossier() -> Dossier:
    version = procedure_in_force(COPY_PROCEDURE, timezone.localdate())
    assert version is not None
    return dossier_create(
        procedure=version,
        receiving_agency=Agency.objects.get(code="BPMC-058"),
        channel=Channel.DIRECT,
        applicant=Applicant(name="Nguyễn Thị Hằng"),
        actor=User.objects.get(username="motcua.thanhpho"),
        at=timezone.now() - timedelta(days=1),
    ).dossier


def good_answers() -> dict[str, object]:
    return {
        "requester_name": "Nguyễn Thị Hằng",
        "requester_id": "008190012345",
        "requester_address": {"unit": commune_code(), "street": "Tổ 7, đường Trường Chinh"},
        "papers": [
            {"title": "Bằng tốt nghiệp đại học", "pages": "1", "copies": "3"},
            {"title": "Giấy khai sinh", "pages": 1, "copies": 2},
        ],
    }


def counter_post(form: DeclarationForm, **eform: str) -> dict[str, str]:
    version = procedure_in_force(COPY_PROCEDURE, timezone.localdate())
    data = {
        "token": "t-" + str(timezone.now().timestamp()),
        "agency": "BPMC-058",
        "applicant_name": "Nguyễn Thị Hằng",
        "applicant_phone": "0912 345 678",
        "sets_count": "1",
    }
    for requirement in version.components.all():
        key = f"c{requirement.pk}"
        data |= {key: "1", f"{key}_originals": "1", f"{key}_certified": "0"}
        data[f"{key}_photocopies"] = "0"
    return data | {f"tk-{name}": value for name, value in eform.items()}


def filled(**changes: str) -> dict[str, str]:
    values = {
        "requester_name": "Nguyễn Thị Hằng",
        "requester_id": "008190012345",
        "requester_address-unit": commune_code(),
        "requester_address-street": "Tổ 7, đường Trường Chinh",
        "papers-0-title": "Bằng tốt nghiệp đại học",
        "papers-0-pages": "1",
        "papers-0-copies": "3",
        "papers-1-title": "Giấy khai sinh",
        "papers-1-pages": "2",
        "papers-1-copies": "2",
    }
    return values | changes


# -- the catalogue -------------------------------------------------------------------------


def test_the_demo_forms_are_attached_and_a_second_load_changes_nothing(world, db):
    assert DeclarationForm.objects.count() == 10
    birth = DeclarationForm.objects.get(code="TK-KS")
    assert birth.version.procedure.code == "2.005266"
    assert birth.title == "Tờ khai đăng ký khai sinh"
    assert "Luật Hộ tịch" in birth.version.legal_basis
    assert birth.version.steps.count("\n") == 2
    report = load_demo_declaration_forms()
    assert report.created == []
    assert len(report.unchanged) == 10
    assert DeclarationForm.objects.count() == 10


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forms.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_json_is_refused_naming_its_line(world, db, tmp_path):
    path = write(tmp_path, '{"forms": [\n  {"procedure": "1.001789",\n   "schema": {,}}]}')
    with pytest.raises(CatalogImportError) as refused:
        declaration_forms_import(path)
    assert refused.value.errors[0].line == 3


def test_the_command_imports_a_json_file_of_forms_and_names_bad_lines(world, db, tmp_path):
    out = io.StringIO()
    call_command("catalog", "import", str(DEMO_FORMS_PATH), stdout=out)
    assert "10" in out.getvalue()
    path = write(tmp_path, '{"forms": [\n  {"procedure": 1,,}]}')
    with pytest.raises(CommandError) as refused:
        call_command("catalog", "import", str(path))
    assert "dòng 2" in str(refused.value)


def test_a_bad_schema_is_refused_naming_the_item_and_field_and_nothing_is_written(
    world, db, tmp_path
):
    good = {"procedure": COPY_PROCEDURE, "schema": copy_form().schema | {"code": "TK-NEW"}}
    bad = {
        "procedure": COPY_PROCEDURE,
        "schema": {
            "code": "TK-BAD",
            "version": 1,
            "title": "Tờ khai",
            "fields": [{"name": "a", "type": "colour", "label": "A"}],
        },
    }
    path = write(tmp_path, json.dumps({"forms": [good, bad, {"procedure": "9.999999"}]}))
    with pytest.raises(CatalogImportError) as refused:
        declaration_forms_import(path)
    texts = [str(error) for error in refused.value.errors]
    assert any(text.startswith("forms[1].schema.fields[0].type:") for text in texts)
    assert any("forms[2].procedure" in text for text in texts)
    assert not DeclarationForm.objects.filter(code__in=["TK-NEW", "TK-BAD"]).exists()


def test_a_changed_form_needs_the_next_version_and_old_answers_keep_theirs(world, db, tmp_path):
    old = copy_form()
    changed = json.loads(json.dumps(old.schema))
    changed["title"] = "Phiếu yêu cầu chứng thực (sửa đổi)"
    path = write(
        tmp_path, json.dumps({"forms": [{"procedure": COPY_PROCEDURE, "schema": changed}]})
    )
    with pytest.raises(CatalogImportError) as refused:
        declaration_forms_import(path)
    assert "phiên bản tiếp theo" in str(refused.value.errors[0])
    dossier = new_dossier()
    dossier_declaration_record(dossier_id=dossier.pk, form_id=old.pk, answers=good_answers())
    changed["version"] = 2
    path.write_text(json.dumps({"forms": [{"procedure": COPY_PROCEDURE, "schema": changed}]}))
    assert declaration_forms_import(path).created == ["TK-CTBS-H v2"]
    assert copy_form().number == 2
    declaration = declaration_of(dossier)
    assert declaration is not None
    assert declaration.form == old
    assert declaration.form_version == 1


def test_the_admin_checks_the_schema_and_names_the_path(world, db):
    version = procedure_in_force(COPY_PROCEDURE, timezone.localdate())
    schema = copy_form().schema | {"code": "TK-ADMIN"}
    schema["fields"] = [dict(schema["fields"][0], max_length=10**6)]
    form = DeclarationFormAdminForm(
        data={"version": version.pk, "schema": json.dumps(schema), "legal_note": ""}
    )
    assert not form.is_valid()
    assert any("fields[0].max_length" in message for message in form.errors["schema"])
    form = DeclarationFormAdminForm(
        data={"version": version.pk, "schema": json.dumps(copy_form().schema), "legal_note": ""}
    )
    assert not form.is_valid()
    assert "phiên bản tiếp theo" in str(form.errors["schema"])


# -- the answers service ---------------------------------------------------------------------


def test_answers_are_stored_clean_with_the_form_version(world, db):
    dossier = new_dossier()
    form = copy_form()
    stored = dossier_declaration_record(
        dossier_id=dossier.pk,
        form_id=form.pk,
        answers=good_answers(),
        actor=User.objects.get(username="motcua.thanhpho"),
    )
    assert (stored.form_code, stored.form_version, stored.filled_by) == ("TK-CTBS-H", 1, "direct")
    assert stored.answers["papers"][0] == {
        "title": "Bằng tốt nghiệp đại học",
        "pages": 1,
        "copies": 3,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requester_name": "x" * 10_000}, "requester_name"),
        ({"requester_id": "12345"}, "requester_id"),
        ({"requester_name": ""}, "requester_name"),
        ({"requester_address": {"unit": "99999", "street": ""}}, "requester_address.unit"),
        ({"papers": [{"title": "A", "pages": "hai", "copies": 1}]}, "papers[0].pages"),
        ({"papers": []}, "papers"),
        ({"papers": "not rows"}, "papers"),
        ({"unknown": "1"}, "unknown"),
    ],
)
def test_bad_answers_are_refused_naming_the_field_and_nothing_is_stored(world, db, change, field):
    dossier = new_dossier()
    with pytest.raises(DossierError) as refused:
        dossier_declaration_record(
            dossier_id=dossier.pk, form_id=copy_form().pk, answers=good_answers() | change
        )
    assert refused.value.field == field
    assert not DossierDeclaration.objects.exists()


def test_a_too_long_answer_is_told_in_vietnamese_numbers(world, db):
    # The pure core names the lengths as whole numbers; the message shows them as counts.
    with translation.override("vi"), pytest.raises(DossierError) as refused:
        dossier_declaration_record(
            dossier_id=new_dossier().pk,
            form_id=copy_form().pk,
            answers=good_answers() | {"requester_name": "x" * 5_000},
        )
    assert "5.000" in str(refused.value)
    assert "5000" not in str(refused.value)


def test_a_form_of_another_procedure_and_a_second_declaration_are_refused(world, db):
    dossier = new_dossier()
    birth = DeclarationForm.objects.get(code="TK-KS")
    with pytest.raises(DossierError) as refused:
        dossier_declaration_record(dossier_id=dossier.pk, form_id=birth.pk, answers={})
    assert refused.value.field == "form"
    dossier_declaration_record(
        dossier_id=dossier.pk, form_id=copy_form().pk, answers=good_answers()
    )
    with pytest.raises(DossierError) as refused:
        dossier_declaration_record(
            dossier_id=dossier.pk, form_id=copy_form().pk, answers=good_answers()
        )
    assert refused.value.field == "form"
    assert DossierDeclaration.objects.count() == 1


def test_a_clerk_of_another_unit_may_not_fill_it(world, db):
    dossier = new_dossier()
    other = (
        User.objects.exclude(username="motcua.thanhpho")
        .filter(username__startswith="motcua.")
        .first()
    )
    assert other is not None
    with pytest.raises(DossierError) as refused:
        dossier_declaration_record(
            dossier_id=dossier.pk, form_id=copy_form().pk, answers=good_answers(), actor=other
        )
    assert refused.value.field == "dossier"


# -- the Django form -------------------------------------------------------------------------


def test_the_form_shows_spare_rows_and_dates_are_checked(world, db):
    birth = DeclarationForm.objects.get(code="TK-KS")
    form = DeclarationAnswersForm(birth)
    html = form.render()
    assert 'name="tk-child_birth_date"' in html
    assert "Ngày, tháng, năm sinh" in html
    copy = DeclarationAnswersForm(copy_form())
    group = next(item for item in copy.items if item.is_group)
    assert len(group.rows) == 3  # min_items 1 + 2 spare
    sent = {f"tk-{k}": v for k, v in filled().items()}
    sent |= {"tk-papers-4-title": "Học bạ", "tk-papers-4-pages": "3", "tk-papers-4-copies": "1"}
    group = next(
        item for item in DeclarationAnswersForm(copy_form(), data=sent).items if item.is_group
    )
    assert len(group.rows) == 7
    data = {"tk-child_birth_date": "31/02/2026", "tk-child_name": "Lý Thị Mai"}
    form = DeclarationAnswersForm(birth, data=data)
    assert not form.is_valid()
    assert form.errors["child_birth_date"] == ["Hãy nhập ngày có thật theo dạng dd/mm/yyyy."]
    assert "requester_name" in form.errors


# -- the counter and the officer -----------------------------------------------------------


def test_the_clerk_fills_the_form_at_reception_and_the_officer_reads_and_prints_it(clerk):
    form = copy_form()
    page = clerk.get(RECEIVE_URL).content.decode()
    assert 'name="tk-papers-0-title"' in page
    assert "Phiếu yêu cầu chứng thực" in page
    response = clerk.post(RECEIVE_URL, counter_post(form, **filled()))
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Nguyễn Thị Hằng")
    declaration = declaration_of(dossier)
    assert declaration is not None
    assert declaration.answers["requester_address"]["street"] == "Tổ 7, đường Trường Chinh"
    page = clerk.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "Bằng tốt nghiệp đại học" in page
    assert f"/mot-cua/ho-so/{dossier.code}/in/to-khai/" in page
    pdf = clerk.get(f"/mot-cua/ho-so/{dossier.code}/in/to-khai/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nguyễn Thị Hằng",
        "Tổ 7, đường Trường Chinh",
        "Bằng tốt nghiệp đại học",
        dossier.code,
    ):
        assert expected in text
    # Made at the receiving desk's commune, not left as dots (§9, box 4).
    place = place_of(dossier.receiving_agency)
    assert place
    assert f"Làm tại {place}, ngày" in " ".join(text.split())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requester_name": "x" * 10_000}, "requester_name"),
        ({"requester_id": "0081900123"}, "requester_id"),
        ({"papers-0-copies": "ba"}, "papers-0-copies"),
        ({"requester_address-unit": "00000"}, "requester_address-unit"),
    ],
)
def test_a_bad_declaration_at_the_counter_answers_400_and_receives_nothing(clerk, change, field):
    response = clerk.post(RECEIVE_URL, counter_post(copy_form(), **filled(**change)))
    assert response.status_code == 400
    assert response.context["eform"].errors[field]
    assert not Dossier.objects.filter(applicant_name="Nguyễn Thị Hằng").exists()
    assert not DossierDeclaration.objects.exists()


def test_add_rows_shows_the_page_again_with_more_rows_and_receives_nothing(clerk):
    data = counter_post(copy_form(), **filled()) | {"tk-more": "1"}
    response = clerk.post(RECEIVE_URL, data)
    assert response.status_code == 200
    eform = response.context["eform"]
    assert not eform.errors
    group = next(item for item in eform.items if item.is_group)
    assert len(group.rows) == 4  # two filled, two empty
    assert 'value="Giấy khai sinh"' in response.content.decode()
    assert not Dossier.objects.filter(applicant_name="Nguyễn Thị Hằng").exists()


def test_an_empty_declaration_at_the_counter_receives_the_dossier_without_one(clerk):
    response = clerk.post(RECEIVE_URL, counter_post(copy_form()))
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Nguyễn Thị Hằng")
    assert declaration_of(dossier) is None
    assert clerk.get(f"/mot-cua/ho-so/{dossier.code}/in/to-khai/").status_code == 404


# -- the history file ------------------------------------------------------------------------


def test_the_answers_go_out_and_back_in_with_the_history(world, db):
    dossier = new_dossier()
    dossier_declaration_record(
        dossier_id=dossier.pk, form_id=copy_form().pk, answers=good_answers()
    )
    out = io.StringIO()
    export_history(out, codes=[dossier.code])
    record = json.loads(out.getvalue().splitlines()[1])
    assert record["declaration"]["form"] == "TK-CTBS-H"
    assert record["declaration"]["version"] == 1
    assert record["declaration"]["answers"]["papers"][1]["title"] == "Giấy khai sinh"
    # The same dossier again changes nothing; under another code it is a new dossier.
    header = json.dumps(HEADER)
    assert import_history([header, json.dumps(record)]).unchanged == [dossier.code]
    copy = record | {"code": "CU-2024-0001"}
    import_history([header, json.dumps(copy)])
    imported = declaration_of(Dossier.objects.get(code="CU-2024-0001"))
    assert imported is not None
    assert imported.answers == declaration_of(dossier).answers
    assert imported.form == copy_form()


def test_a_history_line_with_answers_breaking_the_form_is_refused(world, db):
    dossier = new_dossier()
    dossier_declaration_record(
        dossier_id=dossier.pk, form_id=copy_form().pk, answers=good_answers()
    )
    out = io.StringIO()
    export_history(out, codes=[dossier.code])
    record = json.loads(out.getvalue().splitlines()[1]) | {"code": "CU-2024-0002"}
    record["declaration"]["answers"]["papers"][0]["copies"] = "ba"
    with pytest.raises(HistoryImportError) as refused:
        import_history([json.dumps(HEADER), json.dumps(record)])
    assert refused.value.errors[0].field == "declaration.answers.papers[0].copies"
    assert not Dossier.objects.filter(code="CU-2024-0002").exists()


def test_answers_read_the_vietnamese_way(world, db):
    schema = {
        "code": "TK-T",
        "version": 1,
        "title": "Tờ khai thử",
        "fields": [
            {"name": "born", "type": "date", "label": "Ngày sinh"},
            {"name": "weight", "type": "number", "label": "Cân nặng (gam)"},
            {
                "name": "sex",
                "type": "choice",
                "label": "Giới tính",
                "options": [{"value": "nu", "label": "Nữ"}],
            },
            {"name": "home", "type": "address", "label": "Nơi cư trú"},
            {
                "name": "kids",
                "type": "group",
                "label": "Các con",
                "fields": [{"name": "name", "type": "text", "label": "Họ tên"}],
            },
        ],
    }
    unit = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).order_by("code").first()
    answers = {
        "born": "2026-01-05",
        "weight": 3608,
        "sex": "nu",
        "home": {"unit": unit.code, "street": "Tổ 1"},
        "kids": [{"name": "An"}],
    }
    newest = (
        AdministrativeUnit.objects.filter(code=unit.code)
        .order_by(F("valid_from").asc(nulls_first=True))
        .last()
    )
    lines = [(line.label, line.text, line.depth) for line in answer_lines(schema, answers)]
    assert lines == [
        ("Ngày sinh", "05/01/2026", 0),
        ("Cân nặng (gam)", "3.608", 0),
        ("Giới tính", "Nữ", 0),
        (
            "Nơi cư trú",
            f"Tổ 1, {newest.name}",
            0,
        ),
        ("Các con", "", 0),
        ("1.", "", 1),
        ("Họ tên", "An", 1),
    ]
