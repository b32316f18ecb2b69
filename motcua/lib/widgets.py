"""Form widgets whose HTML is written in Python.

Django renders a ``<select>`` through three templates, two of them once per option
(``select_option.html`` and ``attrs.html``): the back office's filter form, four lists of
choices, cost about 3 ms of every queue and search page (docs/performance.md, issue 17).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: False leaves an attribute out, True writes its
    name alone."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _text(value: Any) -> SafeString:
    """A value as ``{{ value }}`` writes it in a template (localised, escaped)."""
    return conditional_escape(str(localize(value)))


class QuickSelect(forms.Select):
    """``forms.Select`` writing the markup of Django's templates itself (tested equal to
    them, option groups, attributes and escaping included)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(option["value"])}"'
                    f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
                )  # select_option.html ends with a new line
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)
