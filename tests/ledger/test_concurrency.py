"""Two operators recording the same station at once: the lock decides, nothing forks."""

from __future__ import annotations

import threading
from dataclasses import replace

from shailoo.intake import create_election, record_protocols
from shailoo.intake.protocols import RecordResult
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.ledger import Store
from shailoo.ledger.verify import verify_store

PARTIES = sample_parties(2)
STATIONS = sample_stations(3)


def race(store_factory: object, protocols: list) -> list[RecordResult]:  # type: ignore[type-arg]
    results: list[RecordResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(protocols))

    def one(p: object) -> None:
        try:
            s: Store = store_factory()  # type: ignore[operator]
            barrier.wait()
            results.append(record_protocols(s, "e", [p], "op"))  # type: ignore[list-item]
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(p,)) for p in protocols]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_same_protocol_twice_at_once_is_recorded_once(store_factory: object) -> None:
    store: Store = store_factory()  # type: ignore[operator]
    create_election(
        store, law="kg-2020", parties=PARTIES, stations=STATIONS, author="cec", election_id="e"
    )
    p = next(sample_protocols(STATIONS, tuple(x.id for x in PARTIES)))
    results = race(store_factory, [p, p, p])
    assert sum(len(r.recorded) for r in results) == 1
    assert sum(r.duplicates for r in results) == 2


def test_two_different_first_protocols_one_needs_a_reason(store_factory: object) -> None:
    store: Store = store_factory()  # type: ignore[operator]
    create_election(
        store, law="kg-2020", parties=PARTIES, stations=STATIONS, author="cec", election_id="e"
    )
    p = next(sample_protocols(STATIONS, tuple(x.id for x in PARTIES)))
    q = replace(p, votes={"p01": p.votes["p01"] - 1, "p02": p.votes["p02"] + 1})
    results = race(store_factory, [p, q])
    assert sum(len(r.recorded) for r in results) == 1
    assert [f.code for r in results for rej in r.rejected for f in rej.errors] == ["P201"]
    assert all(rep.ok for rep in verify_store(store))
