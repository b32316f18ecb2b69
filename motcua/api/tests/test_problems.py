"""Every kind of refusal is an RFC 9457 problem document naming the field, in Vietnamese by
default and in English on request, and nothing is changed: validation (wrong type, missing,
unknown field, as JSON pointers), malformed JSON, 415, 413, 404, 405, a service's refusal
(422) and a bug (500, no trace)."""

from __future__ import annotations

import json

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from motcua.api.models import ApiCall
from motcua.api.routers import units as units_router
from motcua.api.tests.helpers import bearer, make_client
from motcua.core.errors import DomainError

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/units/lookup"


@pytest.fixture
def http(bac_kan_world):
    client, secret = make_client(["catalog:read"], [])
    http = Client()
    http.defaults.update({"HTTP_" + k.upper(): v for k, v in bearer(http, client, secret).items()})
    return http


def post(http: Client, body: object, **kw):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return http.post(LOOKUP, data, content_type=kw.pop("content_type", "application/json"), **kw)


def problem(answer, status: int, kind: str) -> dict:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == f"urn:motcua:problem:{kind}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"].startswith("/api/v1/")
    return body


def test_a_good_body_is_answered(http):
    answer = post(http, {"codes": ["01840", "nope"], "at": "2025-07-01"})
    assert answer.status_code == 200
    assert [u["code"] for u in answer.json()["found"]] == ["01840"]
    assert answer.json()["missing"] == ["nope"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"codes": ["01840"], "colour": "red"}, ["/colour"]),
        ({"codes": "01840"}, ["/codes"]),
        ({"at": "2025-07-01"}, ["/codes"]),
        ({"codes": ["01840", 7]}, ["/codes/1"]),
        ({"codes": ["01840"], "at": "01/07/2025x"}, ["/at"]),
        ({"codes": [""]}, ["/codes/0"]),
        ({"codes": []}, ["/codes"]),
    ],
)
def test_validation_names_each_field_as_a_json_pointer(http, body, fields):
    found = problem(post(http, body), 400, "validation")
    assert [e["field"] for e in found["errors"]] == fields
    assert all(e["message"] for e in found["errors"])


def test_unknown_field_in_vietnamese_and_english(http):
    vi = problem(post(http, {"codes": ["01840"], "colour": 1}), 400, "validation")
    en = problem(
        post(http, {"codes": ["01840"], "colour": 1}, headers={"Accept-Language": "en"}),
        400,
        "validation",
    )
    assert vi["errors"][0]["message"] == "trường không xác định: nội dung này không có trường đó"
    assert en["errors"][0]["message"] == "unknown field: this body has no such field"
    assert vi["title"] == "Yêu cầu có trường không hợp lệ"


def test_malformed_json_and_other_media_types(http):
    malformed = problem(post(http, '{"codes": ['), 400, "malformed")
    assert malformed["errors"][0]["field"] == "/"
    assert "1" in malformed["detail"]  # the line
    form = problem(
        post(http, "codes=01840", content_type="text/plain"), 415, "unsupported-media-type"
    )
    assert form["errors"][0]["field"] == "Content-Type"


def test_a_body_over_the_limit_is_refused_before_it_is_read(http, settings):
    settings.MOTCUA_API = {**settings.MOTCUA_API, "MAX_BODY_BYTES": 100}
    body = json.dumps({"codes": ["01840"] * 50})
    found = problem(post(http, body), 413, "too-large")
    assert found["max_bytes"] == 100
    assert found["errors"][0]["field"] == "Content-Length"


def test_unknown_address_and_method(http):
    problem(http.get("/api/v1/nothing/here"), 404, "not-found")
    wrong = problem(http.get(LOOKUP), 405, "method-not-allowed")
    assert "POST" in http.get(LOOKUP)["Allow"]
    assert wrong["detail"]


def test_a_service_refusal_is_422_naming_its_field(http, monkeypatch):
    def refuse(code, on):
        raise DomainError("the unit is sealed", field="code")

    monkeypatch.setattr(units_router, "unit_at", refuse)
    found = problem(http.get("/api/v1/units/01840"), 422, "refused")
    assert found["errors"] == [{"field": "code", "message": "the unit is sealed"}]


def test_a_bug_is_500_without_a_trace_and_logged(http, monkeypatch, caplog):
    def broken(code, on):
        raise RuntimeError("secret internals at line 42")

    monkeypatch.setattr(units_router, "unit_at", broken)
    answer = http.get("/api/v1/units/01840")
    found = problem(answer, 500, "server-error")
    assert "secret internals" not in answer.content.decode()
    assert "Traceback" not in answer.content.decode()
    assert "secret internals" in caplog.text
    assert found["errors"] == []
    assert ApiCall.objects.filter(route="unit_detail", status=500, outcome="server-error").exists()


def test_a_staff_session_needs_the_csrf_token_for_a_post(bac_kan_world, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw-motcua-123")
    http = Client(enforce_csrf_checks=True)
    http.force_login(user)
    refused = post(http, {"codes": ["01840"]})
    problem(refused, 403, "csrf")
    # With the token (the cookie and the header), as the pages' scripts send it.
    request = RequestFactory().get("/")
    token = get_token(request)
    http.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    accepted = post(http, {"codes": ["01840"]}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200, accepted.content


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/units?limit=abc", "limit"),
        ("/api/v1/units?limit=0", "limit"),
        ("/api/v1/units?at=2024-13-01", "at"),
        ("/api/v1/units?level=planet", "level"),
        ("/api/v1/units/01840?at=x", "at"),
    ],
)
def test_query_parameter_errors_name_the_parameter(http, url, field):
    found = problem(http.get(url), 400, "validation")
    assert [e["field"] for e in found["errors"]] == [field]


def test_the_docs_page_sends_a_signed_in_staff_members_csrf_token(db, django_user_model):
    anonymous = Client().get("/api/v1/docs")
    assert anonymous.status_code == 200
    assert 'data-api-csrf=""' in anonymous.content.decode()
    staff = Client()
    staff.force_login(django_user_model.objects.create_user("staff", password="pw-motcua-123"))
    page = staff.get("/api/v1/docs").content.decode()
    assert 'data-api-csrf="true"' in page
    assert 'data-csrf-token=""' not in page
    assert "cdn" not in page.lower()


def test_a_chunked_body_is_read_only_up_to_the_limit(settings):
    from io import BytesIO

    from django.http import HttpResponse
    from django.test import RequestFactory

    from motcua.api.middleware import ApiBodyLimitMiddleware

    settings.MOTCUA_API = {**settings.MOTCUA_API, "MAX_BODY_BYTES": 100}
    reached: list[bytes] = []

    def view(request):
        reached.append(request.body)
        return HttpResponse("ok")

    middleware = ApiBodyLimitMiddleware(view)

    def chunked(size: int):
        request = RequestFactory().post(LOOKUP, b"", content_type="application/json")
        request.META.pop("CONTENT_LENGTH", None)
        request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
        request.META["wsgi.input"] = BytesIO(b"x" * size)
        return middleware(request)

    refused = chunked(101)
    assert refused.status_code == 413
    # What a WSGI server refuses from the application (wsgiref turned the 413 into a 500).
    from wsgiref.util import is_hop_by_hop

    assert not [name for name in refused.headers if is_hop_by_hop(name)]
    assert json.loads(refused.content)["type"] == "urn:motcua:problem:too-large"
    assert reached == []
    assert chunked(100).status_code == 200
    assert reached == [b"x" * 100]
    bad = RequestFactory().post(LOOKUP, b"{}", content_type="application/json")
    bad.META["CONTENT_LENGTH"] = "-5"
    answer = middleware(bad)
    assert answer.status_code == 400
    assert json.loads(answer.content)["errors"][0]["field"] == "Content-Length"


def test_submissions_and_actions_take_base64_files_within_their_own_limits(settings):
    from motcua.api.middleware import body_limit

    settings.MOTCUA_API = {
        **settings.MOTCUA_API,
        "MAX_BODY_BYTES": 100,
        "SUBMISSION_MAX_BODY_BYTES": 300,
        "ACTION_MAX_BODY_BYTES": 200,
    }
    assert body_limit("/api/v1/submissions") == 300
    assert body_limit("/api/v1/submissions/multipart") == 300
    assert body_limit("/api/v1/dossiers/01840-260101-0001/actions") == 200
    assert body_limit(LOOKUP) == 100
    assert body_limit("/api/v1/dossiers/01840-260101-0001/actions/x") == 100
