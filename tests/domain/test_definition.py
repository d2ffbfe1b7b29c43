"""The fast readers of an ``election.defined`` payload give what the reference reader gives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shailoo.domain.definition import (
    Outline,
    election_from_json,
    outline_from_json,
    outline_from_payload,
    units_from_json,
)
from shailoo.domain.model import Election, Party, Station

_text = st.text(min_size=1, max_size=8)

elections = st.builds(
    Election,
    id=st.sampled_from(["kg-2020", "e1"]),
    name=_text,
    law=_text,
    law_name=st.text(max_size=5),
    parties=st.lists(st.builds(Party, _text, _text), max_size=4).map(tuple),
    stations=st.lists(
        st.builds(
            Station,
            id=_text,
            region=_text,
            district=_text,
            registered=st.integers(0, 10**12),
            extra=st.dictionaries(_text, _text, max_size=2),
        ),
        max_size=6,
    ).map(tuple),
    date=st.none() | st.just("2020-10-04"),
    double_entry=st.booleans(),
    replaces=st.none() | st.just({"election_id": "old", "final_hash": "ab", "scope": None}),
)


@given(elections)
def test_election_from_json_equals_from_payload(election: Election) -> None:
    text = json.dumps(election.to_payload(), ensure_ascii=False)
    fast = election_from_json(text)
    assert fast == Election.from_payload(json.loads(text))
    assert fast == election
    assert all(type(s) is Station for s in fast.stations)


def _resolved(outline: Outline) -> tuple[Any, ...]:
    """An outline with its units read (the function itself compares by identity)."""
    election_id, party_ids, registered, units = outline
    return election_id, party_ids, registered, units()


@given(elections)
def test_outline_from_json_equals_outline_from_payload(election: Election) -> None:
    payload = election.to_payload()
    outline = outline_from_json(json.dumps(payload))
    assert _resolved(outline) == _resolved(outline_from_payload(payload))
    assert outline[1] == election.party_ids
    assert outline[2] == {s.id: s.registered for s in election.stations}
    assert outline[3]() == {s.id: (s.region, s.district) for s in election.stations}


def test_a_payload_of_another_shape_takes_the_reference_path() -> None:
    # registered as a string and extra as null: the typed decode refuses, json.loads reads it
    payload = {
        "election_id": "e",
        "name": "E",
        "law": "x",
        "parties": [{"id": "a", "name": "A"}],
        "stations": [{"station": 7, "region": "R", "district": "D", "registered": "12"}],
    }
    election = election_from_json(json.dumps(payload))
    assert election.stations == (Station("7", "R", "D", 12),)
    assert election.law_name == "" and election.replaces is None
    outline = _resolved(outline_from_json(json.dumps(payload)))
    assert outline == ("e", ("a",), {"7": 12}, {"7": ("R", "D")})


def test_units_of_another_shape_take_the_reference_path() -> None:
    # the registered voters are read the typed way, the units (a number as district) not:
    # the same values as the reference reader's
    payload = {
        "election_id": "e",
        "parties": [{"id": "a", "name": "A"}],
        "stations": [{"station": "s1", "region": "R", "district": 4, "registered": 12}],
    }
    text = json.dumps(payload)
    assert units_from_json(text) == {"s1": ("R", "4")}
    assert _resolved(outline_from_json(text)) == _resolved(outline_from_payload(payload))
