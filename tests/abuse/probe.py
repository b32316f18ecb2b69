"""Sending one request the way the fuzz does, and judging the answer: no 5xx (an exception
in the view counts as one), and nothing changed when the request was a read or a refusal.

"Changed" is measured on the database (the row count of every table except the counters
that exist to count refused attempts, plus each dossier's and directive's version, last
event and status) and on the stored files (their number under MEDIA_ROOT).
"""

from __future__ import annotations

import copy
import functools
import io
import os
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client

# Tables whose purpose is to count refused attempts (a wrong password, a guessed tracking
# code, the rate limits' counters) and the sessions: a refusal is *meant* to change them.
VOLATILE = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accesslog",
    "axes.accessfailurelog",
    "portal.trackingattempt",
    "accounts.ratecounter",
    # The API's call log records every call, refused ones first of all (docs/api.md).
    "api.apicall",
    # The payment gateways' messages are logged as received, forged ones first of all
    # (docs/payments.md): VNPay's IPN is a GET that answers 200 with its RspCode.
    "onlinepay.providermessage",
}

PDF_SAMPLE = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# A page that says what was wrong with the input it was given.
ERROR_MARKERS = ("errorlist", 'aria-invalid="true"', 'role="alert"', "errornote")

# POSTs that succeed with a page rather than a redirect: (route, what marks success).
SUCCESS_PAGES = {
    # The rating link thanks the applicant on the same page (portal.views.rate).
    "dich-vu-cong/danh-gia/<str:token>/": 'id="thanks"',
}


@functools.cache
def _count_query() -> tuple[list[str], str]:
    from django.db import connection

    labels, parts = [], []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label not in VOLATILE:
            labels.append(label)
            parts.append(
                f"(SELECT COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)})"
            )
    return labels, "SELECT " + ", ".join(parts)


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was (three queries)."""
    from django.db import connection

    from motcua.directives.models import Directive
    from motcua.dossiers.models import Dossier

    labels, sql = _count_query()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Prepared once per connection: planning the count of every table took most of
            # the snapshot's 13 ms, twice per request of the fuzz.
            cursor.cursor.execute(sql, prepare=True)
            counts = cursor.cursor.fetchone()
        else:
            cursor.execute(sql)
            counts = cursor.fetchone()
        state: dict[str, Any] = dict(zip(labels, counts, strict=True))
    state["dossiers"] = tuple(
        Dossier.objects.order_by("id").values_list("id", "version", "last_event_seq", "status")
    )
    state["directives"] = tuple(
        Directive.objects.order_by("id").values_list("id", "version", "status")
    )
    state["files"] = sum(len(files) for _d, _s, files in os.walk(settings.MEDIA_ROOT))
    return state


def difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (before.get(key), after.get(key)) for key in after if before.get(key) != after[key]
    }


@dataclass
class Outcome:
    method: str
    path: str
    role: str
    data: Any
    status: int = 0
    error: str = ""  # the traceback of an exception the view raised
    changed: dict[str, Any] = field(default_factory=dict)
    body: str = ""

    def describe(self) -> str:
        data = repr(self.data)
        if len(data) > 600:
            data = data[:600] + "…"
        text = f"{self.method} {self.path} as {self.role or 'anonymous'} with {data}: {self.status}"
        if self.error:
            text += "\n" + self.error
        if self.changed:
            text += f"\nchanged: {self.changed}"
        return text


def refused(response: Any) -> bool:
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or response.get("Content-Type", "").find("html") < 0:
        return False
    body = response.content.decode("utf-8", "replace")
    return any(marker in body for marker in ERROR_MARKERS)


def send(
    client: Client,
    role: str,
    method: str,
    path: str,
    *,
    route: str = "",
    data: Any = None,
    raw_query: str | None = None,
) -> Outcome:
    """One request inside a savepoint rolled back afterwards (each example starts from the
    same world), the client's cookies restored (a fuzzed logout must not sign the role out
    for the next example)."""
    outcome = Outcome(method, path, role, data if raw_query is None else raw_query)
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            before = snapshot()
            try:
                if method == "GET":
                    extra = {"QUERY_STRING": raw_query} if raw_query is not None else {}
                    response = client.get(path, data=data, **extra)
                else:
                    response = client.generic_post(method, path, data)  # type: ignore[attr-defined]
            except Exception:
                outcome.status = 500
                outcome.error = traceback.format_exc(limit=-12)
                transaction.set_rollback(True)
                return outcome
            outcome.status = response.status_code
            # A streamed answer (the API's JSON Lines history) is read to its end here: an
            # error while streaming is the view's failure too.
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            if response.get("Content-Type", "").startswith(("text/html", "application/json")):
                outcome.body = content.decode("utf-8", "replace")
            # A read never changes anything; a post only when it was accepted (a redirect,
            # or the few pages that answer success in place).
            success_marker = SUCCESS_PAGES.get(route)
            accepted = method != "GET" and (
                300 <= response.status_code < 400
                or (
                    success_marker is not None
                    and response.status_code == 200
                    and success_marker in outcome.body
                )
            )
            if not accepted:
                outcome.changed = difference(before, snapshot())
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return outcome


class FuzzClient(Client):
    """The test client with one entry point for every unsafe method (multipart for POST,
    url-encoded for the others, as browsers and scripts send them)."""

    def generic_post(self, method: str, path: str, data: Any) -> Any:
        if method == "POST":
            data = {k: v.file() if isinstance(v, Upload) else v for k, v in (data or {}).items()}
            return self.post(path, data=data)
        from urllib.parse import urlencode

        fields = {k: v for k, v in (data or {}).items() if not isinstance(v, Upload)}
        body = urlencode(fields, doseq=True)
        return self.generic(method, path, body, content_type="application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Upload:
    """A file the fuzz attaches (made afresh for each request: the client reads it)."""

    name: str
    content: bytes

    def file(self) -> Any:
        # Not SimpleUploadedFile, which cleans the name: the part carries it as sent.
        upload = io.BytesIO(self.content)
        upload.name = self.name  # type: ignore[attr-defined]
        return upload


# -- forms on a page ----------------------------------------------------------------------


@dataclass
class Form:
    """A form a page offers: where it posts, and for each field the values the page gives
    (hidden values, options, checkbox values), and its file inputs."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.page, a.get("action") or self.page)
                self.current = Form(urlsplit(action).path)
                self.forms.append(self.current)
            return
        form = self.current
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            if a.get("type") == "file":
                form.files.append(name)
            elif a.get("type") not in {"submit", "button", "image", "reset"}:
                form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            form.fields.setdefault(name, [])
            self.select = name
        elif tag == "textarea":
            form.fields.setdefault(name, [])
            self.textarea = name
        elif tag == "button" and a.get("value"):
            form.fields.setdefault(name, []).append(a["value"])

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.textarea:
            self.current.fields[self.textarea].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


class _OptionParser(_FormParser):
    """Options of selects, added to their field's values."""

    select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "option" and self.current is not None and self.select:
            value = dict(attrs).get("value")
            if value is not None:
                self.current.fields[self.select].append(value)
            return
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        super().handle_endtag(tag)


def forms_on(page: str, html: str) -> list[Form]:
    parser = _OptionParser(page)
    parser.feed(html)
    return parser.forms
