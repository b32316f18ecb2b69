"""Django's own formatting, with our vi format module, reads the Vietnamese way."""

from datetime import date
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.utils import formats, translation


def test_it_groups_thousands_in_vietnamese():
    with translation.override("vi"):
        assert formats.number_format(1608, use_l10n=True, force_grouping=True) == "1.608"
        assert formats.number_format(Decimal("73.54"), 2, use_l10n=True) == "73,54"


def test_it_reads_dates_day_first_in_forms():
    class DayForm(forms.Form):
        day = forms.DateField()

    with translation.override("vi"):
        form = DayForm({"day": "07/04/2025"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2025, 4, 7)


def test_it_shows_short_dates_day_first_in_both_languages():
    template = Template('{{ d|date:"SHORT_DATE_FORMAT" }}')
    for language in ("vi", "en"):
        with translation.override(language):
            assert template.render(Context({"d": date(2025, 4, 7)})) == "07/04/2025"


def test_it_rounds_in_templates():
    with translation.override("vi"):
        assert Template("{{ v|floatformat:2 }}").render(Context({"v": 6.077})) == "6,08"
