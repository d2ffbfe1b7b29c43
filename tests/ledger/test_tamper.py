"""Any single change to a stored event makes verification fail and name an event.

The ledger is built once per backend; each hypothesis example changes the stored rows inside a
transaction, verifies through the same connection, and rolls back, so examples are independent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.domain.model import Election, Party, Station
from shailoo.ledger import Store
from shailoo.ledger.signing import public_hex, sign_head
from shailoo.ledger.verify import verify_store

N_PROTOCOLS = 8  # events 2..9 after election.defined


@pytest.fixture
def ledger(store: Store) -> Store:
    """An election with 8 protocol events, its head signed."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    election = Election(
        id="kg-2020",
        name="T",
        law="",
        law_name="t",
        parties=(Party("a", "A"), Party("b", "B")),
        stations=tuple(Station(str(i), "r", "d", 1000) for i in range(N_PROTOCOLS)),
    )
    payload = election.to_payload()
    payload["public_key"] = public_hex(key)
    store.append("kg-2020", [("election.defined", payload, "cec")])
    store.append(
        "kg-2020",
        [
            (
                "protocol.recorded",
                {
                    "station": str(i),
                    "source": "official",
                    "votes": {"a": 10 + i, "b": 5},
                    "reason": None,
                },
                f"op{i % 2}",
            )
            for i in range(N_PROTOCOLS)
        ],
    )
    sign_head(store, "kg-2020", key)
    assert all(r.ok for r in verify_store(store))
    return store


@contextmanager
def rolled_back(store: Store) -> Iterator[Any]:
    """A transaction on the store's own connection that is always undone."""
    if store.backend == "sqlite":
        conn = store.conn  # type: ignore[attr-defined]
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")
    else:
        conn = store.conn  # type: ignore[attr-defined]
        with conn.transaction(force_rollback=True):
            yield conn


def run(conn: Any, store: Store, sql: str, params: tuple[Any, ...] = ()) -> None:
    if store.backend == "postgresql":
        sql = sql.replace("?", "%s")
    conn.execute(sql, params)


def _changed(value: Any, draw: Any) -> Any:
    """A value different from ``value`` of a JSON-compatible kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + draw(st.integers(1, 1000))
    if isinstance(value, str):
        return value + draw(st.text(min_size=1, max_size=3))
    return "x"


@st.composite
def mutations(draw: Any) -> tuple[str, Any]:
    """One tampering: edit a field of event i, delete, swap two, or insert a copy."""
    seqs = st.integers(1, N_PROTOCOLS + 1)
    what = draw(st.sampled_from(["edit", "edit-payload", "delete", "swap", "insert"]))
    if what == "edit":
        column = draw(
            st.sampled_from(
                [
                    "kind",
                    "author",
                    "recorded_at",
                    "prev_hash",
                    "hash",
                    "seq",
                    "station",
                    "source",
                    "election_id",
                ]
            )
        )
        return what, (draw(seqs), column, draw(st.integers(1, 50)))
    if what == "edit-payload":
        return what, (draw(seqs), draw(st.randoms(use_true_random=False)))
    if what == "delete":
        return what, draw(seqs)
    if what == "swap":
        i = draw(seqs)
        j = draw(seqs.filter(lambda x: x != i))
        return what, (i, j)
    return what, (draw(seqs), draw(st.integers(1, N_PROTOCOLS + 2)))


def apply(conn: Any, store: Store, mutation: tuple[str, Any]) -> None:
    what, arg = mutation
    q = "SELECT election_id, seq, kind, author, recorded_at, prev_hash, hash, payload, station, source FROM ledger_event WHERE election_id = 'kg-2020' AND seq = ?"
    cols = [
        "election_id",
        "seq",
        "kind",
        "author",
        "recorded_at",
        "prev_hash",
        "hash",
        "payload",
        "station",
        "source",
    ]

    def row(seq: int) -> dict[str, Any]:
        r = conn.execute(
            q.replace("?", "%s") if store.backend == "postgresql" else q, (seq,)
        ).fetchone()
        return dict(zip(cols, r, strict=True))

    if what == "edit":
        seq, column, n = arg
        old = row(seq)[column]
        if column == "seq":
            new: Any = N_PROTOCOLS + 1 + n  # a gap
        elif column == "election_id":
            new = "other"
        elif column in ("station", "source") and old is None:
            new = "x"  # the election.defined row has no index values
        else:
            new = (
                str(old) + "x"
                if column in ("kind",)
                else (str(old)[:-1] + ("0" if str(old)[-1:] != "0" else "1"))
            )
        run(
            conn,
            store,
            f"UPDATE ledger_event SET {column} = ? WHERE election_id = 'kg-2020' AND seq = ?",
            (new, seq),
        )
    elif what == "edit-payload":
        seq, rnd = arg
        payload = json.loads(row(seq)["payload"])
        # walk to a random leaf and change it
        target: Any = payload
        while True:
            keys = list(target) if isinstance(target, dict) else list(range(len(target)))
            leaf_keys = [k for k in keys if not isinstance(target[k], dict | list) or target[k]]
            if not leaf_keys:
                target[keys[0] if keys else "added"] = (
                    "x" if keys or isinstance(target, dict) else None
                )
                break
            k = rnd.choice(leaf_keys)
            if isinstance(target[k], dict | list):
                target = target[k]
                continue
            v = target[k]
            target[k] = (
                (not v)
                if isinstance(v, bool)
                else (v + 1 if isinstance(v, int) else ("x" if v is None else v + "x"))
            )
            break
        run(
            conn,
            store,
            "UPDATE ledger_event SET payload = ? WHERE election_id = 'kg-2020' AND seq = ?",
            (json.dumps(payload, ensure_ascii=False), seq),
        )
    elif what == "delete":
        run(
            conn,
            store,
            "DELETE FROM ledger_event WHERE election_id = 'kg-2020' AND seq = ?",
            (arg,),
        )
    elif what == "swap":
        i, j = arg
        run(
            conn,
            store,
            "UPDATE ledger_event SET seq = -1 WHERE election_id = 'kg-2020' AND seq = ?",
            (i,),
        )
        run(
            conn,
            store,
            "UPDATE ledger_event SET seq = ? WHERE election_id = 'kg-2020' AND seq = ?",
            (i, j),
        )
        run(
            conn,
            store,
            "UPDATE ledger_event SET seq = ? WHERE election_id = 'kg-2020' AND seq = -1",
            (j,),
        )
    else:
        source_seq, at = arg
        copy = row(source_seq)
        run(
            conn,
            store,
            "UPDATE ledger_event SET seq = seq + 1000 WHERE election_id = 'kg-2020' AND seq >= ?",
            (at,),
        )
        run(
            conn,
            store,
            "UPDATE ledger_event SET seq = seq - 999 WHERE election_id = 'kg-2020' AND seq >= 1000",
        )
        copy["seq"] = at
        run(
            conn,
            store,
            f"INSERT INTO ledger_event ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            tuple(copy[c] for c in cols),
        )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutation=mutations())
def test_any_single_change_fails_verification(ledger: Store, mutation: tuple[str, Any]) -> None:
    with rolled_back(ledger) as conn:
        apply(conn, ledger, mutation)
        reports = verify_store(ledger)
        assert not all(r.ok for r in reports), mutation
        bad = [r for r in reports if not r.ok]
        assert any(r.first_bad_seq is not None for r in bad), [r.summary() for r in bad]
    assert all(r.ok for r in verify_store(ledger))  # rolled back: intact again


def test_a_noted_head_shows_a_deleted_unsigned_tail(tmp_path: Path) -> None:
    """Events after the last signed checkpoint are chained but unsigned: deleting them leaves
    a chain that verifies. A head noted earlier (the site shows it) catches the deletion, and
    a rewritten event at the noted seq."""
    from shailoo.cli import main
    from shailoo.domain.events import ELECTION_DEFINED, PROTOCOL_RECORDED
    from shailoo.ledger import open_store

    db = tmp_path / "n.db"
    with open_store(db) as store:
        e = _noted_election()
        store.append("e", [(ELECTION_DEFINED, e, "cec")])
        for n in range(3):
            store.append("e", [(PROTOCOL_RECORDED, _noted_protocol(n), "op")])
        head = store.head_link("e")
    noted = f"{head[0]}:{head[1]}"
    assert main(["verify", "--db", str(db), "--election", "e", "--head", noted, "--quiet"]) == 0
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM ledger_event WHERE seq = ?", (head[0],))
    conn.execute("DELETE FROM ledger_protocol_head WHERE seq = ?", (head[0],))
    conn.commit()
    conn.close()
    assert main(["verify", "--db", str(db), "--election", "e", "--quiet"]) == 0  # undetectable
    assert main(["verify", "--db", str(db), "--election", "e", "--head", noted, "--quiet"]) == 1
    earlier = f"{head[0] - 1}:{'0' * 64}"
    assert main(["verify", "--db", str(db), "--election", "e", "--head", earlier, "--quiet"]) == 1
    assert main(["verify", "--db", str(db), "--head", noted, "--quiet"]) == 2  # which election?
    with pytest.raises(SystemExit) as usage:  # argparse: a usage error, exit 2
        main(["verify", "--db", str(db), "--election", "e", "--head", "4:xyz"])
    assert usage.value.code == 2


def _noted_election() -> dict[str, object]:
    return {
        "election_id": "e", "name": "E", "law": "x", "law_name": "", "date": None,
        "parties": [{"id": "a", "name": "A"}],
        "stations": [
            {"station": f"s{n}", "region": "R", "district": "D", "registered": 100, "extra": {}}
            for n in range(3)
        ],
        "double_entry": False, "replaces": None,
    }  # fmt: skip


def _noted_protocol(n: int) -> dict[str, object]:
    return {
        "station": f"s{n}", "registered": 100, "ballots_received": 100, "ballots_issued": 50,
        "ballots_cast": 50, "invalid": 0, "against_all": 0, "votes": {"a": 50},
        "source": "official", "entered_by": None, "reason": None, "warnings": [],
    }  # fmt: skip
