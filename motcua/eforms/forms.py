"""The Django form of a declaration form's schema: the portal and the counter render it.

Every input is a plain text or select widget whose name is the answer's path in the form
``prefix-children-2-birth_date``; the checks are those of ``core.eforms.answers_check`` (and
the address units must exist), so the page and ``dossier_declaration_record`` accept exactly
the same answers. A repeated group shows its filled rows plus two empty ones, up to its
``max_items``: adding rows needs no JavaScript (the "add rows" button submits the page, which
shows the form again with two more empty rows and stores nothing: ``wants_more_rows``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import DeclarationForm
from motcua.core.eforms import MAX_GROUP_ITEMS, STREET_MAX, TEXT_MAX_DEFAULT, FieldType
from motcua.dossiers.services import declaration_answers_check
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import valid_on

SPARE_ROWS = 2
# Row numbers in submitted names; anything longer is not one of our inputs.
_ROW_RE = re.compile(r"\d{1,3}")


def commune_choices() -> list[tuple[str, str]]:
    """The unit picker: communes and wards in force today, with their district or province."""
    units = (
        AdministrativeUnit.objects.filter(valid_on(timezone.localdate()), level=UnitLevel.COMMUNE)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    return [("", "—")] + [
        (unit.code, f"{unit.name} – {unit.parent.name}" if unit.parent else unit.name)
        for unit in units
    ]


@dataclass
class Item:
    """What the template draws: a field, or a group with its rows of items."""

    spec: dict[str, Any]
    name: str = ""  # the Django field name ("" for a group)
    street: str = ""  # an address's second input
    rows: list[list[Item]] = field(default_factory=list)
    bound: Any = None  # the BoundField of ``name``
    bound_street: Any = None

    @property
    def is_group(self) -> bool:
        return bool(self.spec["type"] == FieldType.GROUP)

    @property
    def is_address(self) -> bool:
        return bool(self.spec["type"] == FieldType.ADDRESS)


def _path_name(path: str) -> str:
    """``children[2].birth_date`` -> ``children-2-birth_date``."""
    return path.replace("[", "-").replace("].", "-").replace("]", "").replace(".", "-")


class DeclarationAnswersForm(forms.Form):
    """The inputs of ``declaration_form``; after ``is_valid()``, ``answers()`` is the clean JSON
    that ``dossier_declaration_record`` stores."""

    template_name = "eforms/_form.html"

    def __init__(
        self,
        declaration_form: DeclarationForm,
        data: Any = None,
        prefix: str = "tk",
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data=data, prefix=prefix, initial=initial)
        self.declaration_form = declaration_form
        self.schema: dict[str, Any] = declaration_form.schema
        self._units: list[tuple[str, str]] | None = None
        self._answers: dict[str, Any] | None = None
        self.items = self._build(self.schema["fields"], "")
        self._bind(self.items)

    def _bind(self, items: list[Item]) -> None:
        for item in items:
            if item.is_group:
                for row in item.rows:
                    self._bind(row)
            else:
                item.bound = self[item.name]
                item.bound_street = self[item.street] if item.street else None

    # -- building ------------------------------------------------------------------------------

    def _unit_choices(self) -> list[tuple[str, str]]:
        if self._units is None:
            self._units = commune_choices()
        return self._units

    def _rows_sent(self, name: str) -> int:
        """How many rows of the group the submitted data reaches (its highest row + 1)."""
        if not self.is_bound:
            return 0
        start = f"{self.prefix}-{name}-"
        highest = -1
        for key in list(self.data)[:5000]:
            if key.startswith(start):
                row = key[len(start) :].split("-", 1)[0]
                if _ROW_RE.fullmatch(row) and str(self.data.get(key, "")).strip():
                    highest = max(highest, int(row))
        return highest + 1

    def _build(self, specs: list[dict[str, Any]], base: str) -> list[Item]:
        items = []
        for spec in specs:
            name = f"{base}{spec['name']}"
            label = spec["label"]
            help_text = spec.get("help", "")
            kind = spec["type"]
            if kind == FieldType.GROUP:
                high = spec.get("max_items", MAX_GROUP_ITEMS)
                low = spec.get("min_items", 0)
                count = min(high, max(self._rows_sent(name), low) + SPARE_ROWS)
                item = Item(spec)
                item.rows = [self._build(spec["fields"], f"{name}-{i}-") for i in range(count)]
                items.append(item)
                continue
            required = bool(spec.get("required"))
            common: dict[str, Any] = {"label": label, "help_text": help_text, "required": False}
            if kind == FieldType.CHOICE:
                choices = [("", "—")] + [(o["value"], o["label"]) for o in spec["options"]]
                # A plain choice field: core.eforms says what is wrong, in its own words.
                self.fields[name] = forms.CharField(widget=forms.Select(choices=choices), **common)
            elif kind == FieldType.ADDRESS:
                self.fields[f"{name}-unit"] = forms.CharField(
                    widget=forms.Select(choices=self._unit_choices()), **common
                )
                self.fields[f"{name}-street"] = forms.CharField(
                    label=_("House number, street, village"),
                    required=False,
                    max_length=STREET_MAX,
                    widget=forms.TextInput(attrs={"maxlength": STREET_MAX}),
                )
                items.append(Item(spec, name=f"{name}-unit", street=f"{name}-street"))
                continue
            elif kind == FieldType.TEXT:
                limit = spec.get("max_length", TEXT_MAX_DEFAULT)
                widget = (
                    forms.Textarea(attrs={"rows": 3, "maxlength": limit})
                    if limit > 300
                    else forms.TextInput(attrs={"maxlength": limit})
                )
                self.fields[name] = forms.CharField(widget=widget, strip=False, **common)
            elif kind == FieldType.DATE:
                attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "maxlength": 10}
                self.fields[name] = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
            elif kind == FieldType.NUMBER:
                attrs = {"inputmode": "numeric", "maxlength": 16}
                self.fields[name] = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
            else:  # FieldType.ID_NUMBER
                attrs = {"inputmode": "numeric", "maxlength": 12, "autocomplete": "off"}
                self.fields[name] = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
            if required:
                self.fields[name].widget.attrs["aria-required"] = "true"
            items.append(Item(spec, name=name))
        return items

    # -- checking ------------------------------------------------------------------------------

    def _raw(self, items: list[Item]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for item in items:
            key = item.spec["name"]
            if item.is_group:
                raw[key] = [self._raw(row) for row in item.rows]
            elif item.is_address:
                raw[key] = {
                    "unit": self.cleaned_data.get(item.name) or "",
                    "street": self.cleaned_data.get(item.street) or "",
                }
            else:
                raw[key] = self.cleaned_data.get(item.name) or ""
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean, errors = declaration_answers_check(self.declaration_form, self._raw(self.items))
        for path, message in errors.items():
            name = _path_name(path)
            if name in self.fields:
                self.add_error(name, message)
            elif f"{name}-unit" in self.fields:
                self.add_error(f"{name}-unit", message)
            else:  # a group's own bounds, or a key the form does not have
                self.add_error(None, f"{self._label_of(path)}: {message}")
        if not errors:
            self._answers = clean
        return cleaned

    def _label_of(self, path: str) -> str:
        specs = self.schema["fields"]
        label = path
        for part in re.sub(r"\[\d+\]", "", path).split("."):
            spec = next((s for s in specs if s.get("name") == part), None)
            if spec is None:
                break
            label = spec["label"]
            specs = spec.get("fields", [])
        return label

    def full_clean(self) -> None:
        if self.wants_more_rows:  # not a submission: no errors shown, nothing to store
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.wants_more_rows and super().is_valid()

    @property
    def wants_more_rows(self) -> bool:
        """The "add rows" button was pressed: show the form again (filled rows plus two empty
        ones per group) and store nothing."""
        return self.is_bound and bool(self.data.get(f"{self.prefix}-more"))

    @property
    def has_input(self) -> bool:
        """Whether anything was typed in the form beyond what it was pre-filled with: left so,
        it was not filled (the counter and the portal then file no declaration)."""
        if not self.is_bound:
            return False
        start = f"{self.prefix}-"
        for key, value in list(self.data.items())[:5000]:
            text = str(value).strip()
            if not key.startswith(start) or key == f"{self.prefix}-more" or not text:
                continue
            if text != str(self.initial.get(key[len(start) :], "")).strip():
                return True
        return False

    def answers(self) -> dict[str, Any]:
        """The clean answers (only after ``is_valid()`` returned True)."""
        if self._answers is None:
            raise ValueError("answers() before a successful is_valid()")
        return self._answers
