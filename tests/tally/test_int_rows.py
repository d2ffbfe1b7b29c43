"""``shailoo._speedups.int_rows`` fills a rebuild's matrix as ``numpy.fromiter`` did: the same
integers for any payloads, and the rebuilt tally the same with the C module and without."""

from __future__ import annotations

import json
from operator import attrgetter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import astuple

from shailoo import speedups
from shailoo.domain.model import Election
from shailoo.intake.protocols import protocol_payload
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.tally.payloads import HEAD_FIELDS, payload_decoder, read_head
from shailoo.tally.projection import Tally

NATIVE = speedups.native
VOTES = attrgetter("votes")
COUNT = st.integers(0, 2**62)


@settings(max_examples=200, deadline=None)
@given(
    parties=st.lists(
        st.sampled_from(["a", "b", "c", "z%", "é"]), min_size=1, max_size=5, unique=True
    ),
    data=st.data(),
)
def test_int_rows_equals_fromiter(parties: list[str], data: st.DataObject) -> None:
    assert NATIVE is not None
    decode = payload_decoder(tuple(parties))
    m = data.draw(st.integers(0, 6))
    payloads = []
    for n in range(m):
        counts = data.draw(st.lists(COUNT, min_size=6, max_size=6))
        votes = dict(
            zip(
                parties,
                data.draw(st.lists(COUNT, min_size=len(parties), max_size=len(parties))),
                strict=True,
            )
        )
        payload = dict(zip(HEAD_FIELDS, counts, strict=True))
        payload.update(station=f"s{n}", source="official", votes=votes, warnings=[])
        payloads.append(decode(json.dumps(payload)))
    width = len(HEAD_FIELDS) + len(parties)
    got = np.frombuffer(
        NATIVE.int_rows(payloads, ((read_head,), (VOTES, astuple)), width), np.int64
    )
    expected = [x for p in payloads for x in (*read_head(p), *astuple(p.votes))]
    assert got.tolist() == expected


@pytest.mark.parametrize(
    "items, readers, width, error",
    [
        ([(1, 2)], ((tuple,),), 3, ValueError),  # fewer integers than the width
        ([(1, 2)], ((tuple,),), 1, ValueError),  # more
        ([(1, "2")], ((tuple,),), 2, TypeError),  # not an int
        ([(1, 2**63)], ((tuple,),), 2, OverflowError),
        ([[1, 2]], ((list,),), 2, TypeError),  # a reader must give a tuple
        ([(1, 2)], (tuple,), 2, TypeError),  # readers are chains (tuples) of callables
    ],
)
def test_int_rows_refuses(items: Any, readers: Any, width: int, error: type) -> None:
    assert NATIVE is not None
    with pytest.raises(error):
        NATIVE.int_rows(items, readers, width)


def test_a_rebuild_is_the_same_with_and_without_the_c_module() -> None:
    parties = sample_parties(4)
    stations = sample_stations(50)
    ids = tuple(p.id for p in parties)
    election = Election("e", "E", "", "kg-2020", tuple(parties), tuple(stations))
    page = [
        json.dumps(protocol_payload(p, ids), sort_keys=True, separators=(",", ":"))
        for p in sample_protocols(stations, ids, seed=2)
    ]
    rows = []
    try:
        for native in (NATIVE, None):
            speedups.native = native
            tally = Tally.rebuild_from_ledger(election, [page], [])
            rows.append(tally._rows_all.copy())
    finally:
        speedups.native = NATIVE
    assert (rows[0] == rows[1]).all()
    assert rows[0][:, 0].sum() == sum(s.registered for s in stations)
