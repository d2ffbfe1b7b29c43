"""PostgreSQL writes: binary COPY keeps every text exactly; the look-up needs no ANALYZE.

``PostgresStore._insert_rows`` sends rows with binary ``COPY``: no escaping on either side, so
backslashes, tabs, newlines, ``\\N`` or ``\\.`` in a payload, an author or a station id must come
back byte for byte (a text-format COPY that forgot one escape would change them silently). The
store runs no ``ANALYZE`` during imports; the second half checks that a batch's look-up of
stored protocols probes the events' station index when the table is large and has no (or stale)
statistics, and that the newest protocols of an older ledger (a table then, a view now) are found.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shailoo.domain.errors import LedgerError
from shailoo.ledger.postgres import LATEST_ROWS, PostgresStore, to_psycopg
from shailoo.ledger.store import COLUMNS
from shailoo.ledger.verify import verify_store

pytestmark = pytest.mark.postgres

# PostgreSQL text cannot hold NUL (in any COPY format or statement) and UTF-8 cannot encode a
# lone surrogate; every other code point may appear.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
NONEMPTY = TEXT.filter(bool)
TRICKY = "a\\b\tc\nd\re\\N\\.\n\\\\t\x01é😀"


@pytest.fixture
def pg_store(pg_url: str, pg_schema: str) -> Iterator[PostgresStore]:
    """A PostgreSQL store in a fresh schema."""
    store = PostgresStore(pg_url, schema=pg_schema)
    try:
        yield store
    finally:
        store.close()


def _eid() -> str:
    return "e-" + uuid.uuid4().hex[:12]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.tuples(TEXT, NONEMPTY, NONEMPTY, NONEMPTY), min_size=1, max_size=5),
)
@example(texts=[(TRICKY, TRICKY, TRICKY, TRICKY)])
@example(texts=[("\\N", "\\.", "\t", "\n"), ("", "\\", "\r\n", "x\\ty")])
def test_any_text_round_trips_through_copy(
    pg_store: PostgresStore, texts: list[tuple[str, str, str, str]]
) -> None:
    """Raw rows with arbitrary text in every text column are stored and read back unchanged."""
    eid = _eid()
    rows = [
        (eid, n, "protocol.recorded", author, f"t{n}\t", "p" * 64, "h\\" * 32, payload, stn, src)
        for n, (payload, author, stn, src) in enumerate(texts, start=1)
    ]
    heads = {(r[8], r[9]): r[1] for r in rows}
    with pg_store._write_tx(eid):
        pg_store._insert_rows(
            rows,
            new_election=True,
            heads=[(eid, s, src, seq) for (s, src), seq in heads.items()],
            new_heads=True,
        )
    assert [tuple(r) for r in pg_store.event_rows(eid)] == rows
    stored = pg_store.query(
        "SELECT station, source, seq FROM ledger_protocol_head WHERE election_id = ?", (eid,)
    )
    assert {(s, src): seq for s, src, seq in stored} == heads


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(author=NONEMPTY, station=NONEMPTY, source=NONEMPTY, note=TEXT)
@example(author=TRICKY, station=TRICKY, source="\\N", note=TRICKY)
def test_appended_events_verify(
    pg_store: PostgresStore, author: str, station: str, source: str, note: str
) -> None:
    """Events appended with arbitrary authors and payload text hash-verify after storage."""
    eid = _eid()
    pg_store.append(eid, [("election.defined", {"election_id": eid, "note": note}, author)])
    payload = {"station": station, "source": source, "votes": {"a": 1}, "note": note}
    events = pg_store.append(eid, [("protocol.recorded", payload, author)])
    (report,) = verify_store(pg_store, eid)
    assert report.ok, report
    stored = pg_store.latest_protocols(eid, [station])[(station, source)]
    assert (stored.author, stored.payload, stored.hash) == (author, payload, events[0].hash)


def test_a_value_of_the_wrong_type_is_refused(pg_store: PostgresStore) -> None:
    """A non-text value in a text column is refused, not stored as something else."""
    eid = _eid()
    row = (eid, 1, "protocol.recorded", "a", "t", "p", "h", "{}", 7, "official")
    with pytest.raises(LedgerError, match="wrong type"), pg_store._write_tx(eid):
        pg_store._insert_rows([row], new_election=True, heads=[], new_heads=True)
    assert pg_store.count(eid) == 0


@pytest.mark.parametrize("statistics", ["none", "stale"])
def test_lookup_probes_the_station_index_without_analyze(
    pg_store: PostgresStore, statistics: str
) -> None:
    """With 200,000 protocol events and no ANALYZE since the table was empty (or ever), the
    look-up of a batch's stations probes the events' station index instead of scanning them."""
    conn = pg_store.conn
    # autovacuum must not refresh the statistics behind the test's back
    conn.execute("ALTER TABLE ledger_event SET (autovacuum_enabled = false)")
    if statistics == "stale":
        conn.execute("ANALYZE ledger_event")  # empty: zero rows recorded
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY ledger_event ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for n in range(200_000):
            row = (
                "big",
                n + 2,
                "protocol.recorded",
                "a",
                "t",
                "p",
                "h",
                "{}",
                f"s{n:06d}",
                "official",
            )
            copy.write_row(row)
    (reltuples,) = conn.execute(
        "SELECT reltuples FROM pg_class WHERE oid = 'ledger_event'::regclass"
    ).fetchone() or (None,)
    assert reltuples == (-1 if statistics == "none" else 0)
    sql = to_psycopg(
        LATEST_ROWS.format(stations=f"AND station IN ({PostgresStore._stations_in_json})")
    )
    stations = json.dumps([f"s{n:06d}" for n in range(0, 200_000, 20)])  # 10,000, like a batch
    plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql, ("big", stations, "big")))
    assert "ledger_event_station_lookup" in plan, plan
    assert "Seq Scan on ledger_event" not in plan, plan
    rows = pg_store.latest_protocol_texts("big", ["s000020", "s000021", "nowhere"])
    assert sorted(rows) == [("s000020", "official"), ("s000021", "official")]


def test_an_older_ledger_s_head_table_becomes_the_view(pg_url: str, pg_schema: str) -> None:
    """A ledger written when the newest protocols were a table: opening it puts the view in
    its place, and the newest protocols are still found."""
    with PostgresStore(pg_url, schema=pg_schema) as store:
        eid = _eid()
        store.append(eid, [("election.defined", {"election_id": eid}, "cec")])
        payload = {"station": "1", "source": "official", "votes": {"a": 1}}
        store.append(eid, [("protocol.recorded", payload, "op")])
        store.conn.execute("DROP VIEW ledger_protocol_head")
        store.conn.execute(
            "CREATE TABLE ledger_protocol_head (election_id TEXT NOT NULL, station TEXT NOT NULL, "
            "source TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (station, election_id, source))"
        )
    with PostgresStore(pg_url, schema=pg_schema) as again:
        (kind,) = again.conn.execute(
            "SELECT relkind FROM pg_class WHERE oid = 'ledger_protocol_head'::regclass"
        ).fetchone() or (None,)
        assert kind == "v"
        assert list(again.latest_protocols(eid)) == [("1", "official")]
        (report,) = verify_store(again, eid)
        assert report.ok, report
