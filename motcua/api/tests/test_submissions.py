"""POST /api/v1/submissions: an integrated front end submits as the portal does (the portal's
form and service: desk, applicant, files by content), files base64 or multipart, the code
and tracking secret answered once, retries by Idempotency-Key; bad input refused naming the
field with nothing created."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.tests.dossier_world import ApiWorld, build_api_world
from motcua.catalog.models import ComponentRequirement
from motcua.dossiers.models import Dossier, DossierFile
from motcua.portal.models import DossierAccess
from motcua.portal.services import secret_normalise

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def api(db) -> ApiWorld:
    made = build_api_world()
    made.requirement = ComponentRequirement.objects.create(  # type: ignore[attr-defined]
        version=made.world.procedure, position=1, name="Tờ khai", originals=1
    )
    return made


def body(api: ApiWorld, **changes) -> dict:
    data = {
        "procedure": "1.000001",
        "desk": "BPMC-058",
        "applicant": {"name": "Trần Văn Bình", "phone": "0912345678", "id_number": ""},
        "files": [
            {
                "component": api.requirement.pk,
                "name": "to-khai.pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }
    data.update(changes)
    return data


def post(api: ApiWorld, data, *, key: str | None = None, client=None, raw: str | None = None):
    headers = api.headers(client or api.city)
    if key:
        headers["Idempotency-Key"] = key
    return Client().post(
        "/api/v1/submissions",
        data=raw if raw is not None else json.dumps(data),
        content_type="application/json",
        headers=headers,
    )


def test_a_submission_answers_the_code_and_secret_once(api):
    response = post(api, body(api), key="front-end-0001")
    assert response.status_code == 201, response.content
    answer = response.json()
    dossier = Dossier.objects.get(code=answer["code"])
    assert (dossier.channel, dossier.status) == ("online", "submitted")
    assert dossier.files.get().sha256
    access = DossierAccess.objects.get(dossier=dossier)
    secret = secret_normalise(answer["secret"])
    assert access.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    # A retry with the key answers the same dossier, without the secret (never kept in clear).
    again = post(api, body(api), key="front-end-0001")
    assert again.status_code == 201
    assert (again.json()["code"], again.json()["secret"]) == (answer["code"], None)
    assert again.json()["replayed"] is True
    assert Dossier.objects.count() == 1


def test_multipart_files_are_read_as_the_base64_ones(api):
    data = body(api)
    data["files"] = [{"component": api.requirement.pk, "name": "to-khai.pdf"}]
    response = Client().post(
        "/api/v1/submissions/multipart",
        data={
            "data": json.dumps(data),
            "files": [SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")],
        },
        headers=api.headers(api.city),
    )
    assert response.status_code == 201, response.content
    assert DossierFile.objects.get().size == len(PDF)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"procedure": "1.000002"}, 422, "/procedure"),  # not offered online
        ({"procedure": "9.999999"}, 422, "/procedure"),
        ({"desk": "BPMC-01840"}, 422, "/desk"),  # not a desk of this procedure
        ({"applicant": {"name": "An", "phone": "12"}}, 422, "/applicant/phone"),
        ({"applicant": {"name": "An", "phone": "0912345678", "id_number": "12"}}, 422, None),
        ({"applicant": {"name": "An", "phone": "0912345678", "age": 3}}, 400, None),
        ({"files": []}, 400, "/files"),
        ({"colour": "red"}, 400, "/colour"),
        ({"files": "none"}, 400, "/files"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_creates_nothing(api, change, status, field):
    response = post(api, body(api, **change), key="bad-submission-1")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields, response.content
    if field:
        assert field in fields, response.content
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"content_base64": "not base64!"}, "/files/0/content_base64"),
        ({"content_base64": base64.b64encode(b"plain text").decode()}, "/files"),
        ({"component": 999999}, "/files/0/component"),
    ],
)
def test_a_bad_file_is_refused_and_creates_nothing(api, item, field):
    data = body(api)
    data["files"][0].update(item)
    response = post(api, data)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]], response.content
    assert not Dossier.objects.exists()


def test_a_client_without_the_submit_scope_is_refused(api):
    response = Client().post(
        "/api/v1/submissions",
        data=json.dumps(body(api)),
        content_type="application/json",
        headers=api.headers(api.city, ["dossiers:read"]),
    )
    assert response.status_code == 403
    assert not Dossier.objects.exists()


def test_a_multipart_body_without_its_boundary_is_a_problem_not_a_crash(api):
    response = Client().post(
        "/api/v1/submissions/multipart",
        data=b"--x\r\n",
        content_type="multipart/form-data",
        headers=api.headers(api.city),
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "Content-Type"
    assert not Dossier.objects.exists()
