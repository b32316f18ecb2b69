"""The abuse suite's small world: the Bắc Kạn units, the demo catalogue (2024 and the
two-level one of 1/7/2025), the demo accounts, the steering committee's and the directives'
demo data, and a few weeks of dossiers of the new wards in every state (a scenario much
smaller than the demo's live year), plus the things that only exist once someone acted: a
scan, an electronic result, a payment receipt, a rating link, a directive's evidence.

Built once per test module (about three seconds on SQLite); ``World.values`` gives, for
each URL parameter name, the values that exist in it (real dossier codes, ids, tokens),
which the fuzz mixes with hostile ones.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core import workflow
from motcua.dossiers.models import Dossier, DossierFile

# One account per role; "" is a visitor who has not signed in.
ROLES = {
    "anonymous": "",
    "clerk": "tiepnhan.ducxuan",  # today's clerk of phường Đức Xuân's centre
    "officer": "chuyenvien.ducxuan",
    "leader": "lanhdao.ducxuan",
    "steering": "bcd.thanhpho",  # the city's steering committee (the 2024 demo data)
    "admin": "admin",
}

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, User | None]
    # Path parameter name -> values that exist (the fuzz's "plausible" values).
    values: dict[str, list[str]] = field(default_factory=dict)
    rating_token: str = ""
    # Where a parameter name means something else: the portal's "code" is a procedure's.
    renamed: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"dich-vu-cong/thu-tuc/": {"code": "procedure_code"}}
    )
    tracked_code: str = ""  # a dossier the anonymous visitor has proved is theirs

    def values_for(self, route: str, name: str) -> list[str]:
        for prefix, names in self.renamed.items():
            if route.startswith(prefix):
                name = names.get(name, name)
        return self.values.get(name, [])


def _small_scenario(today):  # type: ignore[no-untyped-def]
    """The demo's live-year generator with a few dossiers per kind, ending yesterday."""
    from motcua.demo.live import live_params

    return dataclasses.replace(
        live_params(today),
        received_online=12,
        received_direct=8,
        received_postal=1,
        carried_over=2,
        prior_resolved=2,
        late_resolved=1,
        pending=6,
        obligations=8,
        paid_online=2,
        certification_dossiers=4,
        overdue=1,
        due_next=1,
        due_after_next=1,
        awaiting_supplement=1,
        waiting_online=2,
        next_morning=1,
        history_start=today - timedelta(days=120),
        period_start=today - timedelta(days=60),
        pending_from=today - timedelta(days=15),
        label=f"abuse-{today:%Y%m%d}",
    )


def _catalog_subset(path: Path, keep: Callable[[int], bool]) -> Path:
    """The shipped catalogue file with only the rows ``keep`` (by index) selects: the whole
    catalogue would take most of the set-up time and the fuzz needs a few procedures."""
    with path.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source))
    out = Path(tempfile.mkdtemp(prefix="motcua-abuse-")) / path.name
    with out.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows([rows[0], *(r for i, r in enumerate(rows[1:]) if keep(i))])
    return out


def build_world() -> World:
    """Create the world's rows (call inside a database transaction)."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.services import (
        DEMO_CATALOG_PATH,
        TWO_LEVEL_CATALOG_PATH,
        catalog_import,
    )
    from motcua.demo.directives import load_demo as load_directives
    from motcua.demo.scenario import load_scenario
    from motcua.demo.services import demo_accounts_load
    from motcua.directives.models import Directive, DirectiveUpdate, Meeting
    from motcua.dossiers.services import dossier_file_attach
    from motcua.feedback.services import rating_link_create
    from motcua.payments.models import PaymentEvent
    from motcua.steering.services import indicator_definitions_load
    from motcua.units.services import load_bac_kan

    today = timezone.localdate()
    load_bac_kan()
    catalog_import(_catalog_subset(DEMO_CATALOG_PATH, lambda i: i < 12))
    catalog_import(_catalog_subset(TWO_LEVEL_CATALOG_PATH, lambda i: i % 4 == 0))
    demo_accounts_load()
    # The indicators without the demo's 117 working groups (seconds of set-up).
    indicator_definitions_load()
    load_directives()
    load_scenario(_small_scenario(today))

    users = {
        role: (User.objects.get(username=name) if name else None) for role, name in ROLES.items()
    }
    dossiers = list(Dossier.objects.order_by("id"))
    by_status: dict[str, Dossier] = {}
    for dossier in dossiers:
        by_status.setdefault(dossier.status, dossier)
    # A scan on an open dossier and an electronic result on a returned one.
    open_one = next(iter(by_status.values()))
    component = open_one.components.first()
    dossier_file_attach(
        dossier_id=open_one.pk,
        upload=io.BytesIO(PDF),
        name="to-khai.pdf",
        component_id=component.pk if component else None,
    )
    returned = by_status.get("returned") or dossiers[-1]
    dossier_file_attach(
        dossier_id=returned.pk, upload=io.BytesIO(PDF), name="ket-qua.pdf", kind="result"
    )
    token = rating_link_create(dossier_id=returned.pk).rstrip("/").rsplit("/", 1)[-1]
    # A directive's update with an evidence file.
    directive = Directive.objects.order_by("id").first()
    if directive is not None and directive.status in ("open", "in_progress"):
        from motcua.directives.services import directive_update

        directive_update(
            actor=None,
            directive_id=directive.pk,
            status="in_progress",
            note="Đã triển khai",
            expected_version=directive.version,
            evidence=ContentFile(PDF, name="minh-chung.pdf"),
        )

    codes = [d.code for d in by_status.values()]
    # A payment's receipt is printed at its dossier's address (fee_receipt).
    paid = list(
        PaymentEvent.objects.filter(kind="succeeded").values_list("id", "payment__dossier__code")[
            :2
        ]
    )
    pay_events = [event_id for event_id, _code in paid]
    codes += [code for _id, code in paid if code not in codes]
    procedures = list(
        ProcedureVersion.objects.filter(valid_from__lte=today)
        .order_by("-valid_from", "id")
        .values_list("procedure__code", flat=True)[:3]
    )
    # And procedures the clerk's desk receives (those of its dossiers).
    # Online ones first: the portal's submission page exists for those.
    for channel in ("online", "direct"):
        for code in Dossier.objects.filter(
            receiving_agency__code="TTPVHCC-01840", channel=channel
        ).values_list("procedure_version__procedure__code", flat=True):
            if code not in procedures:
                procedures.insert(0 if channel == "online" else len(procedures), code)
    procedures = procedures[:6]
    values = {
        "code": [*codes, codes[0].lower(), *procedures],
        "procedure_code": procedures,
        "action": [a.value for a in workflow.Action],
        "file_id": [str(i) for i in DossierFile.objects.values_list("id", flat=True)],
        "event_id": [str(i) for i in pay_events] or ["1"],
        "form": ["01", "02", "03", "04", "05", "06"],
        "key": ["abc"],
        "token": [token],
        "pk": [
            *(str(i) for i in Meeting.objects.values_list("id", flat=True)[:2]),
            *(str(i) for i in Directive.objects.values_list("id", flat=True)[:3]),
        ],
        "update_pk": [str(i) for i in DirectiveUpdate.objects.values_list("id", flat=True)[:3]],
    }
    return World(users=users, values=values, rating_token=token, tracked_code=returned.code)
