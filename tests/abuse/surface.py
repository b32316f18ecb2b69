"""The project's attack surface as the fuzz sees it: every URL pattern (walked from
``get_resolver()``), the query and form parameter names the views read (found in the
sources, so a new ``request.GET.get("x")`` is fuzzed without editing this file), and the
hypothesis strategies that fill them with plausible and hostile values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import strategies as st

SOURCE = Path(__file__).resolve().parents[2] / "motcua"

# -- URL patterns -----------------------------------------------------------------------------

# What Django's path converters match; a value outside them would not reach the view.
CONVERTER_RE = {
    "str": r"[^/]+",
    "int": r"[0-9]+",
    "path": r".+",
    "slug": r"[-a-zA-Z0-9_]+",
}
ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: ``route`` as Django's ResolverMatch.route spells it, and for each of
    its parameters the converter (``int``, ``str``, ``path``) or, for a regular expression
    group, its alternatives (``choice``) or anything (``path``)."""

    route: str
    name: str
    params: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, kind, choices)

    @property
    def admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def id(self) -> str:
        return self.route or "/"

    def path(self, values: dict[str, str]) -> str:
        """The address with ``values`` filled in, percent-encoded as a browser sends it."""
        text = self.route

        def fill(match: re.Match[str]) -> str:
            value = values[match.group("name")]
            kind = dict((n, k) for n, k, _c in self.params)[match.group("name")]
            return quote(value, safe="/" if kind == "path" else "")

        text = ROUTE_PARAM.sub(fill, text)
        text = REGEX_GROUP.sub(fill, text)
        return "/" + text.removeprefix("^").removesuffix("$").replace("^", "")


def _join(first: str, second: str) -> str:
    # As django.urls.resolvers.URLResolver._join_route.
    return second if not first else first + second.removeprefix("^")


def _params(pattern: RoutePattern | RegexPattern) -> list[tuple[str, str, tuple[str, ...]]]:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return [(m["name"], m["conv"] or "str", ()) for m in ROUTE_PARAM.finditer(text)]
    found = []
    for m in REGEX_GROUP.finditer(text):
        body = m["body"]
        if re.fullmatch(r"[\w|]+", body):
            found.append((m["name"], "choice", tuple(body.split("|"))))
        else:
            found.append((m["name"], "path", ()))
    return found


def all_routes() -> list[Route]:
    """Every URL pattern of the project, the admin's included."""
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, params: list, namespace: str) -> None:  # type: ignore[type-arg]
        for entry in resolver.url_patterns:
            here = _join(prefix, str(entry.pattern))
            found = params + _params(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = ":".join(filter(None, [namespace, entry.namespace or ""]))
                walk(entry, here, found, ns)
            elif isinstance(entry, URLPattern):
                name = ":".join(filter(None, [namespace, entry.name or ""]))
                routes.append(Route(here, name, tuple(found)))

    walk(get_resolver(), "", [], "")
    return routes


# -- parameter names ----------------------------------------------------------------------

# The names the brief lists, whether or not a view reads them today.
KNOWN_PARAMS = (
    "from", "to", "at", "on", "unit", "period", "page", "q", "status", "due", "sort", "figure",
    "part", "channel", "procedure", "agency", "level", "field", "all", "in", "extension",
    "tai-ve", "code", "definition", "overdue", "next", "o", "p", "e", "_changelist_filters",
)  # fmt: skip
READS = re.compile(
    r"""(?:GET|POST|params|data|post)\.(?:get|getlist)\(\s*["']([\w-]+)["']"""
    r"""|_text\(\s*request,\s*["']([\w-]+)["']"""
    r"""|for name in \(([^)]*)\)"""
)


def read_parameter_names() -> list[str]:
    """Parameter names the views read, found in the sources (views, fees, forms)."""
    names: set[str] = set(KNOWN_PARAMS)
    for path in SOURCE.glob("*/*.py"):
        if path.name not in {"views.py", "fees.py", "forms.py"}:
            continue
        for match in READS.finditer(path.read_text(encoding="utf-8")):
            if match.group(3):
                names.update(re.findall(r"""["']([\w-]+)["']""", match.group(3)))
            else:
                names.add(match.group(1) or match.group(2))
    for form_field in form_field_names():
        names.add(form_field)
    return sorted(names)


def form_field_names() -> set[str]:
    """The fields of every form class of the project."""
    import importlib

    from django import forms

    names: set[str] = set()
    for path in SOURCE.glob("*/forms.py"):
        module = importlib.import_module(f"motcua.{path.parent.name}.forms")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names.update(getattr(value, "base_fields", {}))
    return names


# -- values -------------------------------------------------------------------------------


def plausible_values() -> list[str]:
    """Values that mean something somewhere: dates, periods, unit codes, enum values."""
    from motcua.catalog.choices import ProcedureLevel
    from motcua.core.metrics import Bucket
    from motcua.directives.choices import DirectiveStatus
    from motcua.dossiers.choices import Channel, Status

    today = date.today()
    values = [
        f"{today:%d/%m/%Y}", "01/01/2024", "22/05/2024", "31/12/2024", "01/07/2025",
        "31/02/2024", "2024-05-22", "01/01/1900", "31/12/9999", "1/1/24",
        "month:2024-05", "quarter:2024-2", "half:2024", "nine:2024", "year:2024", "year:2025",
        "month:2024-13", "quarter:2024-5", "year:0", "year:99999", "week:2024-1",
        "058", "01840", "01843", "01849", "19", "06", "99999", "own",
        "1", "2", "0", "-1", "1.5", "1e3", "2147483648", "99999999999999999999999",
        "nguyen", "Nguyễn", "0912345678", "TTPVHCC-01840", "BPMC-058", "1.000001",
        "received", "due", "code", "name", "-received", "true", "on",
    ]  # fmt: skip
    for enum in (Status, Channel, Bucket, DirectiveStatus, ProcedureLevel):
        values.extend(str(member.value) for member in enum)  # type: ignore[attr-defined]
    values.append("early,on_time")
    return values


# Hostile text: markup, SQL, format strings, very long, unicode that changes width or
# direction, decomposed diacritics, whitespace. No NUL and no lone surrogate: those are
# in NUL_VALUES and in the raw query strings.
HOSTILE = [
    "",
    " ",
    "%",
    "%25",
    "..",
    "'",
    '"><script>alert(1)</script>',
    "' OR '1'='1' --",
    "%(name)s {0} %s %d",
    '=HYPERLINK("http://x")',
    "A" * 5000,
    "9" * 400,
    "Nguye\u0303\u0302n",
    "\u202eevil\u202c",
    "\ufeffBOM",
    "😀" * 60,
    "NaN",
    "Infinity",
    "1e309",
    "-0",
    "None",
    "null",
    "[]",
    "{}",
    "\\",
    "\r\n\t",
    "\u00a0",
    "𝟙𝟚",
]
NUL_VALUES = ["a\x00b", "\x00"]


def junk_text(*, slash: bool = True, min_size: int = 0) -> st.SearchStrategy[str]:
    excluded = "\x00" if slash else "\x00/"
    return st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters=excluded),
        min_size=min_size,
        max_size=40,
    )


def value_strategy(plausible: list[str], *, nul: bool = True) -> st.SearchStrategy[str]:
    """A query or form value: mostly plausible, otherwise hostile or random."""
    options = [
        st.sampled_from(plausible),
        st.sampled_from(HOSTILE),
        junk_text(),
    ]
    if nul:
        options.append(st.sampled_from(NUL_VALUES))
    return st.one_of(*options)


INT_HOSTILE = ["0", "00000001", "2147483648", "9223372036854775808", "9" * 40]


def path_value(kind: str, choices: tuple[str, ...], plausible: list[str]) -> st.SearchStrategy[str]:
    """A value for one path parameter that its converter accepts."""
    if kind == "choice":
        return st.sampled_from(list(choices))
    if kind == "int":
        real = [v for v in plausible if v.isdigit()] or ["1"]
        return st.one_of(
            st.sampled_from(real),
            st.sampled_from(INT_HOSTILE),
            st.integers(0, 10**6).map(str),
        )
    slash = kind == "path"
    hostile = [h for h in HOSTILE if h and (slash or "/" not in h) and h.strip("\r\n\t ")]
    pattern = re.compile(CONVERTER_RE.get(kind, CONVERTER_RE["str"]))
    real = plausible or ["1"]
    return st.one_of(
        st.sampled_from(real),
        st.sampled_from(hostile),
        junk_text(slash=slash, min_size=1),
    ).filter(lambda v: pattern.fullmatch(v) is not None)


def raw_query() -> st.SearchStrategy[str]:
    """A query string as bytes on the wire: invalid UTF-8, lone surrogates' encodings,
    repeated and empty keys, stray separators."""
    piece = st.binary(max_size=12).map(lambda b: "".join(f"%{c:02X}" for c in b))
    names = st.sampled_from(["q", "page", "from", "unit", "figure", "", "%ED%A0%80", "a[]"])
    pair = st.tuples(names, piece).map(lambda kv: f"{kv[0]}={kv[1]}")
    return st.lists(
        st.one_of(pair, st.sampled_from(["&", "=", ";", "%", "%%", "+"])), max_size=5
    ).map("&".join)
