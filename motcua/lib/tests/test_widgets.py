"""``QuickSelect`` writes exactly what Django's ``Select`` templates write: compared on the
same widget, with option groups, selections, attributes and hostile text
(``motcua.lib.widgets``)."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from motcua.backoffice.forms import DossierFilterForm
from motcua.lib.widgets import QuickSelect

HOSTILE = "<b>\"Ấp\" & 'x'</b>"
CHOICES = [
    ("", gettext_lazy("Any status")),
    ("a&b", HOSTILE),
    (3, 1608),
    (mark_safe("<i>safe</i>"), mark_safe("<i>kept</i>")),  # noqa: S308 (a constant)
    ("Nhóm <1>", [("g1", "Một"), ("g2", "Hai")]),
    (None, "none"),
]


def django_select(widget, name, value, attrs=None):
    return forms.Select.render(widget, name, value, attrs)


@pytest.mark.parametrize("value", ["", "a&b", 3, "3", "g2", None, ["a&b", "g1"], "nothing"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_status", "required": True, "disabled": False},
        {"aria-invalid": "true", "aria-describedby": 'x"y', "data-n": 1608, "class": HOSTILE},
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_quick_select_writes_what_djangos_select_writes(value, attrs, language):
    widget = QuickSelect(choices=CHOICES, attrs={"class": "wide"})
    with translation.override(language):
        quick = widget.render("status", value, attrs)
        reference = django_select(widget, "status", value, attrs)
    assert quick == reference
    assert "<b>" not in quick  # hostile text escaped


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "query",
    [{}, {"status": "received", "sort": "due", "due": "today"}, {"status": "zzz", "sort": '<"x">'}],
)
def test_the_filter_forms_selects_are_quick_and_unchanged(query, language):
    with translation.override(language):
        form = DossierFilterForm(query)
        form.is_valid()
        selects = [field for field in form if isinstance(field.field.widget, forms.Select)]
        assert {field.name for field in selects} == {"status", "channel", "due", "sort"}
        for field in selects:
            widget = field.field.widget
            assert type(widget) is QuickSelect
            quick = str(field)
            widget.__class__ = forms.Select  # the same bound field, through Django's templates
            try:
                assert quick == str(field), field.name
            finally:
                widget.__class__ = QuickSelect
