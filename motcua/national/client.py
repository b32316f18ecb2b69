"""The adapter that speaks the national portal's services (integrations-vn.md §1.2).

As in OpenCPS ``DVCQGIntegrationActionImpl.java`` [C]: log in with ``{username, password}`` at
the authentication endpoint for ``{session, error_code: 0}``; then every call is a JSON POST of
``{session, madonvi, service, ...}`` to the integration endpoint. ``DongBoHoSoMC`` pushes
dossiers (``isUpdating`` "True"/"False", array ``data``), ``CapNhatTienDoHoSoMC`` their progress,
``TraCuuHoSo`` looks one up by ``mahoso``, ``LayDanhSachTTHC`` / ``LayThuTuc`` read the
national catalogue (``result`` arrays). Success is ``error_code`` 0 or "00" [C]; 3 / -3 "already
exists" (HuanVu201 SyncLocalDataToDVCQGService.cs [C]); the code of an expired session is a
setting [S] (HTTP 401 counts too).

Every failure is one of two kinds, because the sync treats them differently:
:class:`Refused` (the portal answered and said no: the data must change) and :class:`Unknown`
(no trustworthy answer: time-out, connection error, 5xx, a reply that is not the documented
JSON): the request may or may not have been applied, so the sync verifies before resending.
The standard library's urllib is enough for one JSON POST at a time with a time-out.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from motcua.national.selectors import NationalConfig

logger = logging.getLogger(__name__)

MAX_REPLY_BYTES = 20 * 1024 * 1024  # a catalogue page; anything bigger is refused unread
SUCCESS = frozenset({"0", "00"})


class NationalError(Exception):
    """A call that did not succeed; ``service`` names it, the message says why."""

    def __init__(self, message: str, *, service: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service


class Refused(NationalError):
    """The portal answered with a non-zero ``error_code`` (or a 4xx): nothing was applied."""

    def __init__(self, message: str, *, service: str, code: str) -> None:
        super().__init__(message, service=service)
        self.code = code


class Unknown(NationalError):
    """No trustworthy answer: the request may or may not have been applied."""


class _SessionExpired(Exception):
    pass


@dataclass(frozen=True)
class Reply:
    """A successful answer: its code and the whole JSON object."""

    code: str
    body: dict[str, Any]

    @property
    def result(self) -> list[Any]:
        value = self.body.get("result")
        return value if isinstance(value, list) else []


class NationalClient:
    """One session with the portal; logs in on first use and again, once, when it expires."""

    def __init__(self, config: NationalConfig) -> None:
        self.config = config
        self.session = ""
        self.logins = 0

    # -- transport ------------------------------------------------------------------------

    def _post(self, url: str, body: dict[str, Any], service: str) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Connection": "close"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                raw = response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                raise _SessionExpired() from None
            if error.code >= 500:
                raise Unknown(f"HTTP {error.code} from the portal", service=service) from None
            raise Refused(
                f"HTTP {error.code} from the portal", service=service, code=str(error.code)
            ) from None
        except TimeoutError:
            raise Unknown(
                f"no answer within {self.config.timeout:g} s (time-out)", service=service
            ) from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise Unknown(
                    f"no answer within {self.config.timeout:g} s (time-out)", service=service
                ) from None
            raise Unknown(f"connection failed: {reason}", service=service) from None
        if len(raw) > MAX_REPLY_BYTES:
            raise Unknown("reply larger than 20 MB", service=service)
        try:
            reply = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            snippet = raw[:80].decode("utf-8", "replace")
            raise Unknown(
                f"malformed JSON reply ({getattr(error, 'msg', error)}): {snippet!r}",
                service=service,
            ) from None
        if not isinstance(reply, dict) or "error_code" not in reply:
            raise Unknown("reply without error_code", service=service)
        return reply

    def _code(self, reply: dict[str, Any]) -> str:
        return str(reply.get("error_code")).strip()

    # -- session --------------------------------------------------------------------------

    def login(self) -> None:
        """POST {username, password}; keep the session (OpenCPS getAccessToken [C])."""
        reply = self._call_raw(
            self.config.auth_url,
            {"username": self.config.username, "password": self.config.password},
            "login",
        )
        session = reply.get("session")
        if self._code(reply) not in SUCCESS or not isinstance(session, str) or not session:
            message = str(reply.get("message") or "")
            raise Refused(
                f"log-in refused: error_code {self._code(reply)} {message}".strip(),
                service="login",
                code=self._code(reply),
            )
        self.session = session
        self.logins += 1

    def _call_raw(self, url: str, body: dict[str, Any], service: str) -> dict[str, Any]:
        try:
            return self._post(url, body, service)
        except _SessionExpired:
            raise Refused("HTTP 401 at log-in", service=service, code="401") from None

    def call(self, service: str, *, unit_code: str, **fields: Any) -> Reply:
        """One service call; an expired session logs in again once and repeats the call."""
        for attempt in (1, 2):
            if not self.session:
                self.login()
            body = {"session": self.session, "madonvi": unit_code, "service": service, **fields}
            try:
                reply = self._post(self.config.service_url, body, service)
            except _SessionExpired:
                reply = {"error_code": "401"}
            code = self._code(reply)
            if code in SUCCESS:
                return Reply(code, reply)
            if code in self.config.session_expired_codes and attempt == 1:
                logger.info("national portal: session expired during %s; logging in again", service)
                self.session = ""
                continue
            message = str(reply.get("message") or reply.get("error_message") or "")
            raise Refused(
                f"error_code {code}: {message}".strip().rstrip(":"), service=service, code=code
            )
        raise Refused("session expired again after a new log-in", service=service, code="session")

    # -- services -------------------------------------------------------------------------

    def push_dossier(self, item: dict[str, Any], *, unit_code: str, updating: bool) -> Reply:
        """DongBoHoSoMC with one dossier; ``updating``: it is already on the portal."""
        return self.call(
            "DongBoHoSoMC",
            unit_code=unit_code,
            isUpdating="True" if updating else "False",
            data=[item],
        )

    def push_progress(self, item: dict[str, Any], *, unit_code: str) -> Reply:
        """CapNhatTienDoHoSoMC with one step."""
        return self.call("CapNhatTienDoHoSoMC", unit_code=unit_code, data=[item])

    def look_up(self, code: str, *, unit_code: str) -> dict[str, Any] | None:
        """TraCuuHoSo by the dossier code: the portal's record, or None when it has none
        (OpenCPS hasSyncDossier: an empty ``result`` [C])."""
        reply = self.call("TraCuuHoSo", unit_code=unit_code, mahoso=code)
        for item in reply.result:
            if isinstance(item, dict) and item.get("MaHoSo") == code:
                return item
        return None

    def procedure_codes(self, *, unit_code: str) -> list[str]:
        """LayDanhSachTTHC: the national procedure codes (MATTHC) [M: the list's shape]."""
        reply = self.call("LayDanhSachTTHC", unit_code=unit_code)
        return [str(i["MATTHC"]) for i in reply.result if isinstance(i, dict) and i.get("MATTHC")]

    def procedure(self, code: str, *, unit_code: str) -> dict[str, Any] | None:
        """LayThuTuc for one procedure (``maTTHC``, OpenCPS [C]): its first ``result``."""
        reply = self.call("LayThuTuc", unit_code=unit_code, maTTHC=code)
        first = reply.result[0] if reply.result else None
        return first if isinstance(first, dict) else None
