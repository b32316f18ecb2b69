"""A bad dossier rule stops the start naming its setting (``dossiers.checks``), instead of the
first write or report failing with a traceback."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from motcua.dossiers.checks import check_dossier_rules


def _rules(**changed: str):
    return override_settings(MOTCUA_DOSSIERS={**settings.MOTCUA_DOSSIERS, **changed})


def test_the_default_rules_pass():
    assert check_dossier_rules() == []


@pytest.mark.parametrize(
    ("changed", "check_id", "named"),
    [
        ({"EARLY_RULE": "zzz"}, "motcua.dossiers.E001", "MOTCUA_EARLY_RULE: 'zzz'"),
        (
            {"MAX_SUPPLEMENT_REQUESTS_ON_TIME": "-1"},
            "motcua.dossiers.E002",
            "MOTCUA_MAX_SUPPLEMENT_REQUESTS_ON_TIME must be",
        ),
        (
            {"PAID_ONLINE_METHODS": "online_national,cheque"},
            "motcua.dossiers.E003",
            "MOTCUA_PAID_ONLINE_METHODS must list payment methods",
        ),
    ],
)
def test_a_bad_rule_is_named(changed, check_id, named):
    with _rules(**changed):
        errors = check_dossier_rules()
    assert [error.id for error in errors] == [check_id]
    assert named in errors[0].msg
