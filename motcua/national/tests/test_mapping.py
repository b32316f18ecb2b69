"""The status mapping: every state of the transition table and every event kind has its
national code or sending rule; nothing is ever 0; the docs' table is this table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from motcua.core import workflow
from motcua.dossiers.choices import Action, Status
from motcua.national.choices import Send
from motcua.national.mapping import (
    CURRENT_VERSION,
    TABLES,
    MappingTable,
    UnmappedStatus,
    mapping_table,
)

DOCS = Path(__file__).resolve().parents[3] / "docs" / "national.md"

# The numbers of integrations-vn.md §1.2 (HuanVu201 FormatTrangThaiHoSoDVCQG.cs), by state.
EXPECTED = {
    "submitted": 1,
    "awaiting_completion": 5,
    "refused": 3,
    "received": 2,
    "in_processing": 4,
    "awaiting_supplement": 5,
    "awaiting_payment": 6,
    "resolved": 9,
    "returned": 10,
    "withdrawn": 7,
    "stopped": 8,
}


def _table_states() -> set[str]:
    """Every state the transition table names, as a source or a target."""
    states = set()
    for rule in workflow.TABLE:
        states |= {str(s) for s in rule.sources}
        if rule.target is not None:
            states.add(str(rule.target))
    return states


def test_every_state_of_the_transition_table_has_its_code():
    table = mapping_table(CURRENT_VERSION)
    assert _table_states() == {str(s) for s in workflow.Status} == set(Status.values)
    for state in _table_states():
        assert table.code_for(state) == EXPECTED[state], state


def test_every_target_of_every_rule_maps_to_a_code_from_1_to_10():
    table = mapping_table(CURRENT_VERSION)
    for rule in workflow.TABLE:
        for source in rule.sources:
            target = rule.target or source
            assert 1 <= table.code_for(target) <= 10


def test_every_event_kind_is_in_the_table():
    table = mapping_table(CURRENT_VERSION)
    assert set(table.event_sends) == set(Action.values)
    assert table.send_for(Action.CREATE) == Send.DOSSIER_AND_PROGRESS
    assert table.send_for(Action.RATE) == Send.NOTHING


@pytest.mark.parametrize("state", ["", "archived", "0", None])
def test_an_unknown_state_raises_never_zero(state):
    with pytest.raises(UnmappedStatus):
        mapping_table(CURRENT_VERSION).code_for(state)


def test_an_unknown_event_kind_or_version_raises():
    with pytest.raises(UnmappedStatus):
        mapping_table(CURRENT_VERSION).send_for("teleport")
    with pytest.raises(UnmappedStatus):
        mapping_table("dvcqg-1999")


def test_a_code_edited_to_zero_raises():
    broken = MappingTable("x", {"submitted": 0}, {}, "test")
    with pytest.raises(UnmappedStatus):
        broken.code_for("submitted")


def test_the_docs_table_is_the_mapping():
    text = DOCS.read_text(encoding="utf-8")
    for version, table in TABLES.items():
        assert f"`{version}`" in text
        for state, code in table.status_codes.items():
            assert re.search(rf"^\| `{state}` \| [^|]+ \| {code} \|", text, re.M), state
