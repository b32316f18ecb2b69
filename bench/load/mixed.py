"""A bounded, mixed load of the demo's people against a running motcua (issue 15, "smoke test"
and "bench/load").

    .venv/bin/python bench/load/mixed.py https://127.0.0.1:PORT --seconds 60 [--cafile CERT]
        [--citizens 4 --clerks 2 --officers 2 --leaders 1] [--timeout 30] [--json OUT]

Each virtual user is a thread with its own HTTP session (``requests``), doing what that person
does in the browser, page after page, until the time is up:

- a citizen (no account: the portal has no sign-in) browses the catalogue, opens a procedure,
  submits it online with one or two scans (the real multipart form with its one-time
  ``submission_key``), reads the code and tracking secret on the page that ends the
  submission, and later tracks her dossiers (by secret, or by phone);
- a clerk (``tiepnhan.*``) signs in through the login form, looks at the online submissions
  waiting at her desk and receives one (the dossier page's own action form), searches the
  dossiers of her units, reads the tracking log;
- an officer (``chuyenvien.*``) signs in, opens her queue, opens a dossier and takes one of
  the actions the page offers (approve with a result PDF, return the result, ask for a
  supplement, deny), exactly as the page's form posts it (with the dossier's version);
- a leader (``lanhdao.*``) signs in, opens the dashboard, follows its links: the drill-down
  lists, the end-of-day page, and downloads form II.06a as PDF and XLSX.

Every staff user signs in through ``/dang-nhap/`` with the CSRF token of the page, as a browser
does. Bounded: the number of users, the duration, and a timeout on every request; a user
whose request fails (connection refused, reset, timeout) records it and goes on with the next
task. Nothing is retried blindly, except one thing a citizen's browser would do: a
submission whose answer was lost is sent again with the same form (same ``submission_key``),
which the portal turns into the first dossier or creates once (portal.services,
``online_submission_create``). Keys whose outcome is still unknown at the end are listed, so
a checker can look them up in the database.

The result (:class:`Result`): per route, the answers by status, latencies (p50/p95), and the
submissions (key, phone, code); ``--json`` writes it. Importable: ``run_load(config)``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

# The demo's people of the present (motcua/demo/services.py, CURRENT_ACCOUNTS): one-stop
# clerks, officers and leaders of the three units of 01/07/2025 and of the province.
DEMO_PASSWORD = "motcua-demo"  # noqa: S105 (the demo's shared password, printed by the app)
CLERKS = ["tiepnhan.ducxuan", "tiepnhan.backan", "tiepnhan.phongquang", "tiepnhan.tinh"]
OFFICERS = [
    "chuyenvien.ducxuan",
    "chuyenvien.backan",
    "chuyenvien.phongquang",
    "chuyenvien.sotuphap",
]
LEADERS = ["lanhdao.ducxuan", "lanhdao.backan", "lanhdao.phongquang"]

# What an officer or a clerk picks among the actions a dossier page offers, and how often;
# an action not listed is never taken (it would need facts a load cannot invent well:
# a new due date, a payment reference).
ACTION_WEIGHTS = {
    "receive": 6,
    "approve": 6,
    "return_result": 4,
    "request_supplement": 1,
    "request_completion": 1,
    "deny": 1,
}
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]


def tiny_pdf(text: str) -> bytes:
    """A small, valid one-page PDF (what the upload check accepts: header and trailer)."""
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# -- HTML forms, read as a browser sees them --------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    # Hidden and prefilled inputs, and the ticked boxes (a list: a browser sends each one).
    fields: dict[str, str | list[str]] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)  # name -> option values
    texts: list[str] = field(default_factory=list)  # text inputs and textareas to fill
    files: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    """The page's forms (inputs, selects, textareas) and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), attrs=a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "file":
                self._form.files.append(a["name"])
            elif kind in ("checkbox", "radio"):
                # Only what is ticked is sent, as a browser sends it.
                if "checked" in a and kind == "radio":
                    self._form.fields[a["name"]] = a.get("value", "on")
                elif "checked" in a:
                    ticked = self._form.fields.setdefault(a["name"], [])
                    if isinstance(ticked, list):
                        ticked.append(a.get("value", "on"))
            elif kind in ("hidden",) or a.get("value"):
                self._form.fields[a["name"]] = a.get("value", "")
            elif kind not in ("submit", "button", "checkbox", "radio"):
                self._form.texts.append(a["name"])
        elif tag == "textarea" and a.get("name"):
            self._form.texts.append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.selects[a["name"]] = []
        elif tag == "option" and self._select is not None:
            self._form.selects[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse(text: str) -> FormParser:
    parser = FormParser()
    parser.feed(text)
    return parser


# -- the record of a run ----------------------------------------------------------------------


@dataclass
class Submission:
    """One online submission the load sent: its form key, the applicant's phone (unique per
    submission), and the dossier code the portal answered with (None: no answer got back)."""

    key: str
    phone: str
    code: str | None = None
    secret: str | None = None
    # "created" (the portal answered with the dossier's page), "refused" (4xx: the portal
    # says nothing was created) or "unknown" (no answer, or only 5xx, even after retries).
    outcome: str = "unknown"


@dataclass
class Result:
    seconds: float = 0.0
    # route -> status (0: no answer: refused, reset or timed out) -> count
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # (time since start, route, status or error text) of every 5xx and failed request
    failures: list[tuple[float, str, str]] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    # Dossier codes a clerk created at the counter (one per answer that named one).
    counter_codes: list[str] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # The load's duration, and the answers that came within it: the throughput does not
    # count the tail of requests still in flight at the deadline.
    window: float = float("inf")
    answered_in_window: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, route: str, status: int, seconds: float, started: float, error: str) -> None:
        with self.lock:
            if status and started + seconds <= self.window:
                self.answered_in_window += 1
            by_status = self.statuses[route]
            by_status[status] = by_status.get(status, 0) + 1
            if status:
                self.latencies[route].append(seconds)
            if status == 0 or status >= 500:
                self.failures.append((round(started, 3), route, error or str(status)))

    @property
    def requests(self) -> int:
        return sum(sum(s.values()) for s in self.statuses.values())

    def count(self, predicate: Any) -> int:
        return sum(n for s in self.statuses.values() for code, n in s.items() if predicate(code))

    def summary(self) -> dict[str, Any]:
        routes = {}
        for route in sorted(self.statuses):
            lat = sorted(self.latencies[route])
            routes[route] = {
                "statuses": dict(sorted(self.statuses[route].items())),
                "p50_ms": round(1000 * percentile(lat, 0.50), 1) if lat else None,
                "p95_ms": round(1000 * percentile(lat, 0.95), 1) if lat else None,
            }
        return {
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            # Answers within the load's duration, per second of it.
            "per_second": round(self.answered_in_window / self.window, 2)
            if 0 < self.window < float("inf")
            else 0,
            "server_errors": self.count(lambda c: c >= 500),
            "no_answer": self.count(lambda c: c == 0),
            "routes": routes,
            "actions": dict(self.actions),
            "submissions": [asdict(s) for s in self.submissions],
            "counter_codes": self.counter_codes,
            "failures": self.failures,
        }


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


@dataclass
class Config:
    base_url: str
    seconds: float = 60.0
    citizens: int = 4
    clerks: int = 2
    officers: int = 2
    leaders: int = 1
    timeout: float = 30.0
    cafile: str | None = None  # the server's certificate (self-signed); None: system CAs
    seed: int = 15
    think: float = 0.1  # most seconds a user waits between two pages


class Stop(Exception):
    """The time is up."""


# -- virtual users ----------------------------------------------------------------------------


class User:
    tasks: dict[str, int] = {}

    def __init__(self, config: Config, result: Result, name: str, rng: random.Random) -> None:
        self.config = config
        self.result = result
        self.name = name
        self.rng = rng
        self.session = requests.Session()
        self.session.verify = config.cafile if config.cafile else True
        # Only what is given here: no proxy, CA bundle or .netrc from the environment (a
        # REQUESTS_CA_BUNDLE would replace the certificate given, a proxy would carry the
        # requests for 127.0.0.1 away).
        self.session.trust_env = False
        self.session.headers["User-Agent"] = f"motcua-load/{name}"
        self.start = 0.0
        self.deadline = 0.0

    def url(self, path: str) -> str:
        return urljoin(self.config.base_url, path)

    def request(
        self, route: str, method: str, path: str, *, finish: bool = False, **kwargs: Any
    ) -> requests.Response | None:
        """One request, timed and recorded; None when no answer came. After the deadline
        only a page that ends what was begun (``finish``) is still asked for."""
        if time.monotonic() >= self.deadline and not finish:
            raise Stop
        began = time.monotonic()
        kwargs.setdefault("timeout", self.config.timeout)
        kwargs.setdefault("allow_redirects", False)
        url = self.url(path)
        if method == "POST":
            # Django checks the Referer of an HTTPS POST against the host (CSRF).
            kwargs.setdefault("headers", {})["Referer"] = url
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as error:
            self.result.record(
                route, 0, 0.0, began - self.start, f"{type(error).__name__}: {error}"[:300]
            )
            return None
        self.result.record(
            route, response.status_code, time.monotonic() - began, began - self.start, ""
        )
        return response

    def get(self, route: str, path: str, **kwargs: Any) -> requests.Response | None:
        return self.request(route, "GET", path, **kwargs)

    def csrf(self) -> str:
        return self.session.cookies.get("csrftoken", "") or ""

    def run(self, start: float, deadline: float) -> None:
        self.start, self.deadline = start, deadline
        names = list(self.tasks)
        weights = [self.tasks[n] for n in names]
        try:
            self.setup()
            while time.monotonic() < deadline:
                getattr(self, self.rng.choices(names, weights)[0])()
                time.sleep(self.rng.uniform(0, self.config.think))
        except Stop:
            pass
        finally:
            self.session.close()

    def setup(self) -> None:
        pass


class Staff(User):
    username = ""

    def setup(self) -> None:
        self.log_in()

    def log_in(self) -> None:
        """The login form, as a browser fills it (its CSRF token and cookie)."""
        while True:
            page = self.get("login", "/dang-nhap/")
            if page is None or page.status_code != 200:
                time.sleep(0.5)
                continue
            form = next(f for f in parse(page.text).forms if "password" in f.texts)
            data = dict(form.fields, username=self.username, password=DEMO_PASSWORD)
            answer = self.request("login", "POST", "/dang-nhap/", data=data)
            if answer is not None and answer.status_code == 302:
                return
            time.sleep(0.5)

    def signed_in_get(self, route: str, path: str, **kwargs: Any) -> requests.Response | None:
        answer = self.get(route, path, **kwargs)
        if (
            answer is not None
            and answer.status_code == 302
            and "/dang-nhap/" in (answer.headers.get("Location", ""))
        ):
            self.log_in()
            answer = self.get(route, path, **kwargs)
        return answer

    def dossier_links(self, text: str) -> list[str]:
        return sorted(
            {
                link
                for link in parse(text).links
                if re.fullmatch(r"/mot-cua/ho-so/[^/]+/", urlsplit(link).path)
            }
        )

    def act_on(self, dossier_path: str, allowed: dict[str, int]) -> None:
        """Open a dossier and take one of the allowed actions its page offers."""
        page = self.signed_in_get("dossier", dossier_path)
        if page is None or page.status_code != 200:
            return
        offered = {}
        for form in parse(page.text).forms:
            match = re.search(r"/thao-tac/([a-z_]+)/$", form.action)
            if match and match.group(1) in allowed:
                offered[match.group(1)] = form
        if not offered:
            return
        names = list(offered)
        action = self.rng.choices(names, [allowed[n] for n in names])[0]
        form = offered[action]
        data: dict[str, str | list[str]] = dict(form.fields)
        for name, options in form.selects.items():
            values = [v for v in options if v] or options
            data[name] = values[0] if values else ""
        for name in form.texts:
            data[name] = "Kiểm tra tải: thiếu giấy tờ" if name == "reason" else "1"
        files = {}
        for name in form.files:
            files[name] = (
                f"ket-qua-{uuid.uuid4().hex[:6]}.pdf",
                tiny_pdf(action),
                "application/pdf",
            )
        answer = self.request(f"act:{action}", "POST", form.action, data=data, files=files or None)
        if answer is not None and answer.status_code == 302:
            with self.result.lock:
                self.result.actions[action] += 1


class Citizen(User):
    tasks = {"browse": 3, "submit": 4, "track": 3}

    def setup(self) -> None:
        self.mine: list[Submission] = []
        self.procedures: list[str] = []

    def browse(self) -> None:
        query = self.rng.choice(["", "khai sinh", "ket hon", "dat dai", "tro giup", "chung thuc"])
        page = self.get("portal:catalog", "/dich-vu-cong/", params={"q": query} if query else None)
        if page is None or page.status_code != 200:
            return
        codes = sorted(
            {
                m.group(1)
                for link in parse(page.text).links
                if (m := re.fullmatch(r"/dich-vu-cong/thu-tuc/([^/]+)/", link))
            }
        )
        if not codes:
            return
        code = self.rng.choice(codes)
        page = self.get("portal:procedure", f"/dich-vu-cong/thu-tuc/{code}/")
        offered = page is not None and page.status_code == 200 and "nop-truc-tuyen" in page.text
        if offered and code not in self.procedures:
            self.procedures.append(code)

    def submit(self) -> None:
        if not self.procedures:
            self.browse()
            return
        code = self.rng.choice(self.procedures)
        path = f"/dich-vu-cong/thu-tuc/{code}/nop-truc-tuyen/"
        page = self.get("portal:submit_form", path)
        if page is None or page.status_code != 200:
            return
        form = next((f for f in parse(page.text).forms if f.attrs.get("id") == "submission"), None)
        if form is None:
            return
        # A phone of its own per submission (the portal limits submissions per phone), not
        # from the seeded generator: two runs on one database must not share phones.
        phone = f"09{uuid.uuid4().int % 10**8:08d}"
        data = dict(form.fields)
        data.update(
            applicant_name=self.rng.choice(NAMES),
            applicant_phone=phone,
            applicant_id_number="",
            applicant_email="",
            applicant_address="Phường Đức Xuân, tỉnh Thái Nguyên",
            desk=self.rng.choice(form.selects.get("desk") or [""]),
        )
        files = {
            name: (f"giay-to-{i}.pdf", tiny_pdf(f"{code} {i}"), "application/pdf")
            for i, name in enumerate(form.files[: self.rng.choice([1, 2])], start=1)
        }
        if time.monotonic() >= self.deadline:
            raise Stop
        key = data["submission_key"]
        assert isinstance(key, str), key  # a hidden input: one value, never a list
        submission = Submission(key=key, phone=phone)
        with self.result.lock:
            self.result.submissions.append(submission)
        # Once sent, the submission is seen through even past the deadline (bounded: four
        # tries). A lost answer (no answer, 5xx): the browser sends the same form again, with
        # the same key, as a citizen does after an error page.
        for attempt in range(4):
            answer = self.request(
                "portal:submit", "POST", path, finish=True, data=data, files=files
            )
            if answer is not None and answer.status_code == 302:
                submission.outcome = "created"
                self.finish(submission, answer.headers["Location"])
                return
            if answer is not None and answer.status_code < 500:
                submission.outcome = "refused"  # 400, 429: nothing was created
                return
            if attempt < 3:
                time.sleep(1.0)

    def finish(self, submission: Submission, location: str) -> None:
        # The redirect's page, followed even at the deadline: it holds the code.
        page = self.get("portal:submitted", location, finish=True)
        if page is None or page.status_code != 200:
            return
        # portal/templates/portal/submitted.html: the code and the secret (shown once).
        code = re.search(r'id="dossier-code">\s*([^<]+?)\s*<', page.text)
        secret = re.search(r'id="tracking-secret">\s*([^<]+?)\s*<', page.text)
        if code:
            submission.code = html.unescape(code.group(1))
            submission.secret = html.unescape(secret.group(1)) if secret else None
            self.mine.append(submission)

    def track(self) -> None:
        if not self.mine:
            self.get("portal:track_form", "/dich-vu-cong/tra-cuu/")
            return
        submission = self.rng.choice(self.mine)
        page = self.get("portal:track_form", "/dich-vu-cong/tra-cuu/")
        if page is None or page.status_code != 200:
            return
        form = next((f for f in parse(page.text).forms if "code" in f.texts + list(f.fields)), None)
        if form is None:
            return
        data = dict(form.fields, code=submission.code or "")
        if submission.secret and self.rng.random() < 0.5:
            data.update(secret=submission.secret, phone="")
        else:
            data.update(phone=submission.phone, secret="")
        answer = self.request("portal:track", "POST", "/dich-vu-cong/tra-cuu/", data=data)
        if answer is not None and answer.status_code == 302:
            self.get("portal:dossier", answer.headers["Location"])


class Clerk(Staff):
    tasks = {"receive_online": 4, "search": 3, "tracking_log": 1, "counter": 1}

    def receive_online(self) -> None:
        page = self.signed_in_get("backoffice:online", "/mot-cua/truc-tuyen/")
        if page is None or page.status_code != 200:
            return
        links = self.dossier_links(page.text)
        if links:
            self.act_on(
                self.rng.choice(links[:10]),
                {"receive": 6, "request_completion": 1, "return_result": 2},
            )

    def search(self) -> None:
        query = self.rng.choice(["Nguyễn", "Tran", "Lê", "H55", "09", "Hoàng"])
        page = self.signed_in_get("backoffice:search", "/mot-cua/tim-kiem/", params={"q": query})
        if page is not None and page.status_code == 200 and self.rng.random() < 0.5:
            links = self.dossier_links(page.text)
            if links:
                self.act_on(self.rng.choice(links), {"return_result": 1})

    def tracking_log(self) -> None:
        self.signed_in_get("backoffice:tracking_log", "/mot-cua/so-theo-doi/")

    def counter(self) -> None:
        self.signed_in_get("backoffice:counter", "/mot-cua/")


class Officer(Staff):
    tasks = {"work_queue": 5, "queue_all": 1}

    def work_queue(self) -> None:
        page = self.signed_in_get("backoffice:queue", "/mot-cua/hang-doi/")
        if page is None or page.status_code != 200:
            return
        links = self.dossier_links(page.text)
        if links:
            self.act_on(self.rng.choice(links[:15]), ACTION_WEIGHTS)

    def queue_all(self) -> None:
        self.signed_in_get("backoffice:queue", "/mot-cua/hang-doi/", params={"all": "1"})


class Leader(Staff):
    tasks = {"dashboard": 3, "drill": 2, "report_pdf": 1, "report_xlsx": 1, "end_of_day": 1}

    def setup(self) -> None:
        super().setup()
        self.links: list[str] = []

    def dashboard(self) -> None:
        page = self.signed_in_get("reports:dashboard", "/bao-cao/")
        if page is not None and page.status_code == 200:
            self.links = sorted(set(parse(page.text).links))

    def follow(self, route: str, pattern: str) -> None:
        if not self.links:
            self.dashboard()
        chosen = [link for link in self.links if re.search(pattern, link)]
        if chosen:
            self.signed_in_get(route, self.rng.choice(chosen))

    def drill(self) -> None:
        self.follow("reports:drill", r"^/bao-cao/ho-so/\?")

    def report_pdf(self) -> None:
        self.follow("reports:form_06a_pdf", r"^/bao-cao/bieu-II\.06a\.pdf")

    def report_xlsx(self) -> None:
        self.follow("reports:form_06a_xlsx", r"^/bao-cao/bieu-II\.06a\.xlsx")

    def end_of_day(self) -> None:
        self.follow("reports:end_of_day", r"^/bao-cao/cuoi-ngay/")


# -- the run ----------------------------------------------------------------------------------


def make_users(config: Config, result: Result) -> list[User]:
    rng = random.Random(config.seed)
    users: list[User] = []
    for i in range(config.citizens):
        users.append(Citizen(config, result, f"citizen{i}", random.Random(rng.random())))
    for kind, names, count in (
        (Clerk, CLERKS, config.clerks),
        (Officer, OFFICERS, config.officers),
        (Leader, LEADERS, config.leaders),
    ):
        for i in range(count):
            user = kind(config, result, names[i % len(names)], random.Random(rng.random()))
            user.username = names[i % len(names)]
            users.append(user)
    return users


def run_load(config: Config) -> Result:
    """Run the mixed load for ``config.seconds`` and return what it saw."""
    if not config.cafile:
        urllib3.disable_warnings()
    result = Result(window=config.seconds)
    users = make_users(config, result)
    start = time.monotonic()
    deadline = start + config.seconds
    threads = [
        threading.Thread(target=user.run, args=(start, deadline), name=user.name, daemon=True)
        for user in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request in flight at the deadline ends within its timeout.
        thread.join(config.seconds + config.timeout + 30)
    result.seconds = time.monotonic() - start
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the site, e.g. https://127.0.0.1:8443")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--citizens", type=int, default=4)
    parser.add_argument("--clerks", type=int, default=2)
    parser.add_argument("--officers", type=int, default=2)
    parser.add_argument("--leaders", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--cafile", default=None, help="the server's certificate (self-signed)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", default=None, help="write the result here")
    args = parser.parse_args(argv)
    for name in ("seconds", "timeout"):
        if not 0 < getattr(args, name) <= 3600:
            parser.error(f"--{name}: between 0 and 3600 seconds")
    for name in ("citizens", "clerks", "officers", "leaders"):
        if not 0 <= getattr(args, name) <= 200:
            parser.error(f"--{name}: between 0 and 200 users")
    config = Config(
        base_url=args.base_url,
        seconds=args.seconds,
        citizens=args.citizens,
        clerks=args.clerks,
        officers=args.officers,
        leaders=args.leaders,
        timeout=args.timeout,
        cafile=args.cafile,
        seed=args.seed,
    )
    result = run_load(config)
    summary = result.summary()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, ensure_ascii=False, indent=1)
    print(
        f"{summary['requests']} requests in {summary['seconds']} s "
        f"({summary['per_second']}/s), 5xx: {summary['server_errors']}, "
        f"no answer: {summary['no_answer']}"
    )
    for route, facts in summary["routes"].items():
        print(
            f"  {route:<28} {facts['statuses']}  p50 {facts['p50_ms']} ms  p95 {facts['p95_ms']} ms"
        )
    print(f"  actions: {summary['actions']}")
    got = sum(1 for s in result.submissions if s.code)
    print(f"  submissions: {len(result.submissions)} sent, {got} with a code")
    return 1 if summary["server_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
