"""The Store contract on both backends."""

from __future__ import annotations

import threading

import pytest

from shailoo.domain.errors import LedgerError, NotFound, Refused
from shailoo.domain.model import Election, Party, Station
from shailoo.ledger import Store
from shailoo.ledger.verify import verify_store


def election(eid: str = "kg-2020") -> Election:
    """A two-party, two-station election."""
    return Election(
        id=eid,
        name="Test",
        law="",
        law_name="test",
        parties=(Party("a", "Alpha"), Party("b", "Бета")),
        stations=(Station("1", "r1", "d1", 1000), Station("2", "r1", "d1", 800)),
    )


def protocol(station: str, a: int) -> dict[str, object]:
    """A minimal protocol payload."""
    return {"station": station, "source": "official", "votes": {"a": a, "b": 1}}


def test_append_chains_and_reads_back(store: Store) -> None:
    store.append("kg-2020", [("election.defined", election().to_payload(), "cec")])
    events = store.append(
        "kg-2020",
        [
            ("protocol.recorded", protocol("1", 5), "op"),
            ("protocol.recorded", protocol("2", 7), "op"),
        ],
    )
    assert [e.seq for e in events] == [2, 3]
    assert events[1].prev_hash == events[0].hash
    stored = list(store.events("kg-2020"))
    assert [e.seq for e in stored] == [1, 2, 3]
    assert [e.hash for e in stored[1:]] == [e.hash for e in events]
    assert stored[2].payload["votes"] == {"a": 7, "b": 1}
    assert store.head("kg-2020") == stored[-1]
    assert [e.seq for e in store.events("kg-2020", after_seq=2)] == [3]
    assert [e.seq for e in store.events("kg-2020", kinds={"election.defined"})] == [1]
    assert store.election("kg-2020").parties[1].name == "Бета"
    assert all(r.ok for r in verify_store(store))


def test_several_elections_in_creation_order(store: Store) -> None:
    with pytest.raises(NotFound):
        store.current_election()
    store.append("b-first", [("election.defined", election("b-first").to_payload(), "cec")])
    store.append("a-second", [("election.defined", election("a-second").to_payload(), "cec")])
    assert store.elections() == ["b-first", "a-second"]
    assert store.current_election() == "a-second"
    assert store.head("nope") is None
    with pytest.raises(NotFound):
        store.election("nope")


def test_append_refuses_what_breaks_the_ledger(store: Store) -> None:
    with pytest.raises(NotFound):
        store.append("kg-2020", [("protocol.recorded", protocol("1", 5), "op")])
    with pytest.raises(LedgerError):
        store.append("Bad Id", [("election.defined", election().to_payload(), "cec")])
    store.append("kg-2020", [("election.defined", election().to_payload(), "cec")])
    with pytest.raises(Refused):
        store.append("kg-2020", [("election.defined", election().to_payload(), "cec")])
    with pytest.raises(LedgerError):
        store.append("kg-2020", [("no.such.kind", {}, "op")])
    with pytest.raises(LedgerError):
        store.append("kg-2020", [("protocol.recorded", {"x": 0.5}, "op")])
    # a failed batch leaves nothing behind: all or nothing
    with pytest.raises(LedgerError):
        store.append(
            "kg-2020",
            [
                ("protocol.recorded", protocol("1", 5), "op"),
                ("protocol.recorded", {"x": 1.5}, "op"),
            ],
        )
    assert store.head("kg-2020").seq == 1  # type: ignore[union-attr]


def test_side_tables_use_question_marks(store: Store) -> None:
    store.execute("CREATE TABLE users (name TEXT PRIMARY KEY, note TEXT)")
    store.execute("INSERT INTO users (name, note) VALUES (?, ?)", ("ainura", "100% sure"))
    assert store.query("SELECT note FROM users WHERE name = ?", ("ainura",)) == [("100% sure",)]
    assert store.query("SELECT name FROM users WHERE note LIKE '%sure'") == [("ainura",)]


def test_concurrent_writers_never_fork(store_factory: object) -> None:
    first: Store = store_factory()  # type: ignore[operator]
    first.append("kg-2020", [("election.defined", election().to_payload(), "cec")])
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            s: Store = store_factory()  # type: ignore[operator]
            for i in range(15):
                s.append("kg-2020", [("protocol.recorded", protocol("1", n * 100 + i), f"w{n}")])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    events = list(first.events("kg-2020"))
    assert [e.seq for e in events] == list(range(1, 62))
    assert all(r.ok for r in verify_store(first))


def test_an_old_ledger_gets_its_newest_protocol_table_when_opened(store_factory: object) -> None:
    """A ledger written before the newest-protocol table existed (simulated by emptying it):
    the next store opened on it fills the table from the chain, and verify agrees. On
    PostgreSQL the table is a view of the events, which cannot be emptied on its own
    (tests/ledger/test_postgres_copy.py: an older table there becomes the view)."""
    first: Store = store_factory()  # type: ignore[operator]
    first.append("kg-2020", [("election.defined", election().to_payload(), "cec")])
    for n, station in enumerate(["1", "2", "1"]):
        first.append("kg-2020", [("protocol.recorded", protocol(station, n), "op")])
    if first.head_table:
        first.execute("DELETE FROM ledger_protocol_head")
        assert not first.latest_protocols("kg-2020")
    else:
        with pytest.raises(LedgerError, match="view"):
            first.execute("DELETE FROM ledger_protocol_head")
    again: Store = store_factory()  # type: ignore[operator]
    latest = again.latest_protocols("kg-2020")
    assert {k: e.seq for k, e in latest.items()} == {("1", "official"): 4, ("2", "official"): 3}
    assert all(r.ok for r in verify_store(again))
