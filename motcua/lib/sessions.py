"""Staff sessions end when idle and after a fixed lifetime, and expired rows are deleted.

``MOTCUA_SESSIONS["IDLE_MINUTES"]`` without a request signs the person out (a counter
computer left signed in); ``MOTCUA_SESSIONS["MAX_HOURS"]`` after signing in does too, however
busy the session (a stolen cookie stops working the same day). Both are checked here, on the
server, from two timestamps kept in the session; the cookie's own age
(``SESSION_COOKIE_AGE``) is the absolute lifetime as well, so the browser drops it too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.lib.dbrouter import reading

# Session keys: when the person signed in, and when the session last saw a request (ISO).
SIGNED_IN_AT = "motcua_signed_in_at"
LAST_SEEN = "motcua_last_seen"
# Refreshing LAST_SEEN on every request would write the session row on every page view;
# once a minute is precise enough for a timeout counted in minutes.
TOUCH_EVERY = timedelta(minutes=1)


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.MOTCUA_SESSIONS["IDLE_MINUTES"])


def lifetime_limit() -> timedelta:
    return timedelta(hours=settings.MOTCUA_SESSIONS["MAX_HOURS"])


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def session_expiry(session: object, now: datetime) -> str:
    """Why a signed-in session is over at ``now``: ``"idle"``, ``"lifetime"`` or ``""``."""
    signed_in = _moment(session.get(SIGNED_IN_AT))  # type: ignore[attr-defined]
    last_seen = _moment(session.get(LAST_SEEN))  # type: ignore[attr-defined]
    if signed_in is not None and now - signed_in >= lifetime_limit():
        return "lifetime"
    if last_seen is not None and now - last_seen >= idle_limit():
        return "idle"
    return ""


def _signed_in(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    # Signing in again within a session (same user: Django keeps its data) restarts the clock.
    if request is not None and hasattr(request, "session"):
        now = timezone.now().isoformat()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


user_logged_in.connect(_signed_in, dispatch_uid="motcua.lib.sessions.signed_in")


class SessionTimeoutMiddleware:
    """Signs a signed-in person out when the session is idle or too old, and sends her to the
    sign-in page with a message saying why (after the authentication middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            session = request.session
            why = session_expiry(session, now)
            if why:
                logout(request)
                if why == "idle":
                    text = _(
                        "You were signed out after %(minutes)d minutes without activity. "
                        "Sign in again to continue."
                    ) % {"minutes": settings.MOTCUA_SESSIONS["IDLE_MINUTES"]}
                else:
                    text = _(
                        "You were signed out %(hours)d hours after signing in. "
                        "Sign in again to continue."
                    ) % {"hours": settings.MOTCUA_SESSIONS["MAX_HOURS"]}
                messages.info(request, text)
                return redirect_to_login(request.get_full_path())
            if SIGNED_IN_AT not in session:
                # The first request after signing in (or a session older than this rule).
                session[SIGNED_IN_AT] = now.isoformat()
            last_seen = _moment(session.get(LAST_SEEN))
            if last_seen is None or now - last_seen >= TOUCH_EVERY:
                session[LAST_SEEN] = now.isoformat()
        return self.get_response(request)


def expired_sessions_delete(*, now: datetime | None = None) -> int:
    """Deletes the session rows past their expiry date (what ``clearsessions`` does for the
    database backend); returns how many. Run daily by ``motcua worker``."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=now or timezone.now()).delete()
    return deleted


class SessionStore(DatabaseSessionStore):
    """Django's database sessions (``SESSION_ENGINE``), each request's read made by a statement
    written once instead of compiled by the ORM every time: half its cost, on every staff
    page (``accounts.backends`` says what the other reads of a signed-in page became)."""

    def _get_session_from_db(self) -> Session | None:
        connection = reading(self.model)
        with connection.cursor() as cursor:
            cursor.execute(
                SESSION_STATEMENT,
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            found = cursor.fetchone()
        if found is None:
            self._session_key = None
            return None
        return Session(session_key=self.session_key or "", session_data=found[0])


# Django's sessions table, as its migration named it.
SESSION_STATEMENT = (
    "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
)
