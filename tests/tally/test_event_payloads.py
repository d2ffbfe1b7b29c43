"""``Store.event_payloads`` and ``Store.payload_pages`` on SQLite and PostgreSQL, and
``load_tally`` built on them."""

from __future__ import annotations

import pytest
from tally_factory import Ledger, protocol, protocol_payload, small_election

from shailoo.domain.events import DECISION_MADE, ELECTION_DEFINED, PROTOCOL_RECORDED
from shailoo.ledger import Store
from shailoo.ledger import store as store_module
from shailoo.ledger.store import COLUMNS, PROTOCOL_KINDS
from shailoo.tally import Tally
from shailoo.tally.service import load_tally


def fill(store: Store, *, end_with_protocol: bool) -> None:
    """An election of 5 stations: protocols, a correction, an annulment."""
    e = small_election()
    led = Ledger(e)
    items = [(ELECTION_DEFINED, e.to_payload(), "clerk")]
    for k, s in enumerate(e.stations):
        items.append(
            (PROTOCOL_RECORDED, protocol_payload(protocol(s.id, {"A": k, "B": 2, "C": 3})), "op")
        )
    store.append(e.id, items)
    decision = led.decide("D1", "annul", "station", e.stations[0].id)
    store.append(e.id, [(DECISION_MADE, decision.payload, "commission")])
    if end_with_protocol:
        p = protocol(e.stations[1].id, {"A": 9, "B": 9, "C": 9}, reason="recount")
        store.append(e.id, [("protocol.corrected", protocol_payload(p), "op")])


@pytest.mark.parametrize("end_with_protocol", [True, False])
def test_event_payloads_are_the_event_rows_columns(
    store: Store, end_with_protocol: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store, end_with_protocol=end_with_protocol)
    want = [
        tuple(
            r[COLUMNS.index(c)] for c in ("seq", "kind", "author", "recorded_at", "hash", "payload")
        )
        for r in store.event_rows("e1")
    ]
    assert list(store.event_payloads("e1")) == want
    assert list(store.event_payloads("e1", 3)) == [r for r in want if r[0] > 3]
    monkeypatch.setattr(store_module, "BULK_PAGE", 2)  # pages end mid-ledger and exactly at it
    assert list(store.event_payloads("e1")) == want
    assert list(store.event_payloads("e1", len(want) - 2)) == want[-2:]
    bare = list(store.event_payloads("e1", without_details=PROTOCOL_KINDS))
    assert [r[0::5] for r in bare] == [(r[0], r[5]) for r in want]
    for got, full in zip(bare, want, strict=True):
        if full[1] in PROTOCOL_KINDS:
            assert got[2:5] == (None, None, None)
        else:
            assert got == full
    assert list(store.event_payloads("no-such-election")) == []


@pytest.mark.parametrize("end_with_protocol", [True, False])
def test_load_tally_equals_the_event_by_event_rebuild(
    store: Store, end_with_protocol: bool
) -> None:
    fill(store, end_with_protocol=end_with_protocol)
    loaded = load_tally(store, "e1")
    reference = Tally.rebuild(store.election("e1"), store.events("e1"))
    assert loaded.state() == reference.state()
    head = store.head("e1")
    assert head is not None
    assert (loaded.head_seq, loaded.head_hash) == (head.seq, head.hash)
    assert loaded.unit("nation", as_reported=True).stations_reported == 5
    assert loaded.unit("nation").stations_reported == 4  # N1-1 annulled
    assert loaded.is_annulled("N1-1")


@pytest.mark.parametrize("page", [1, 2, 50_000])
def test_payload_pages_and_other_events_split_the_ledger(
    store: Store, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What load_tally reads: in one pass, page by page of ``BULK_PAGE`` sequence numbers,
    the protocol payloads in order and the seq of every other event; then those events in
    full. Both stop at ``up_to``."""
    fill(store, end_with_protocol=True)
    monkeypatch.setattr(store_module, "BULK_PAGE", page)
    every = list(store.event_payloads("e1"))
    head = every[-1][0]
    for up_to in (head, head - 1, 2):
        read = [r for r in every if 1 < r[0] <= up_to]
        pages = list(store.payload_pages("e1", PROTOCOL_KINDS, 1, up_to))
        assert all(len(p) + len(s) <= page for p, s in pages)
        assert [text for p, _ in pages for text in p] == [
            r[5] for r in read if r[1] in PROTOCOL_KINDS
        ]
        assert [seq for _, s in pages for seq in s] == [
            r[0] for r in read if r[1] not in PROTOCOL_KINDS
        ]
        others = store.event_payloads("e1", 1, without_kinds=PROTOCOL_KINDS, up_to=up_to)
        assert list(others) == [r for r in read if r[1] not in PROTOCOL_KINDS]
    everything_else = list(store.payload_pages("e1", (), 0, head))
    assert [seq for p, s in everything_else for seq in s] == [r[0] for r in every]
    assert not any(p for p, _ in everything_else)
    assert not any(p or s for p, s in store.payload_pages("no-such", PROTOCOL_KINDS, 0, head))


@pytest.mark.parametrize("page", [1, 3, 50_000])
def test_load_tally_in_pages_reads_up_to_the_head_it_saw(
    store: Store, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the page size, the tally is the event-by-event one; and it is the tally of
    the ledger up to the head read first, even if more was appended since."""
    fill(store, end_with_protocol=True)
    monkeypatch.setattr(store_module, "BULK_PAGE", page)
    events = list(store.events("e1"))
    loaded = load_tally(store, "e1")
    assert loaded.state() == Tally.rebuild(store.election("e1"), events).state()
    seen = events[-3]  # as if the last two events were appended after the head was read
    monkeypatch.setattr(type(store), "head_link", lambda self, eid: (seen.seq, seen.hash))
    earlier = load_tally(store, "e1")
    assert (earlier.head_seq, earlier.head_hash) == (seen.seq, seen.hash)
    assert earlier.state() == Tally.rebuild(store.election("e1"), events[:-2]).state()
