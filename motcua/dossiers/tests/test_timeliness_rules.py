"""The early/on-time rule and the supplement limit in force are read in one place
(``dossiers.selectors.timeliness_of``), which the write path, the history import and the demo
scenario all classify through."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from motcua.clock.selectors import calendar_for
from motcua.core.timeliness import EarlyRule, Timeliness
from motcua.dossiers.selectors import early_rule, timeliness_of
from motcua.dossiers.tests.conftest import local


def _with(**values: object) -> dict[str, object]:
    return {**settings.MOTCUA_DOSSIERS, **values}


def test_the_configured_rule_decides_early_on_the_due_day(db) -> None:
    # Due Friday 05/04/2024 at 16:00, resolved that morning: on the due day, but in an
    # earlier session.
    calendar = calendar_for()
    moments = {"finished_at": local("05/04/2024 09:00"), "due_at": local("05/04/2024 16:00")}
    with override_settings(MOTCUA_DOSSIERS=_with(EARLY_RULE="before_due_day")):
        assert early_rule() is EarlyRule.BEFORE_DUE_DAY
        assert timeliness_of(calendar, **moments) is Timeliness.ON_TIME
    with override_settings(MOTCUA_DOSSIERS=_with(EARLY_RULE="before_due_session")):
        assert early_rule() is EarlyRule.BEFORE_DUE_SESSION
        assert timeliness_of(calendar, **moments) is Timeliness.EARLY


def test_the_configured_supplement_limit_applies(db) -> None:
    calendar = calendar_for()
    moments = {"finished_at": local("04/04/2024 09:00"), "due_at": local("05/04/2024 16:00")}
    assert timeliness_of(calendar, **moments, supplement_requests=2) is Timeliness.LATE
    with override_settings(MOTCUA_DOSSIERS=_with(MAX_SUPPLEMENT_REQUESTS_ON_TIME="none")):
        assert timeliness_of(calendar, **moments, supplement_requests=2) is Timeliness.EARLY
