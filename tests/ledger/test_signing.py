"""Checkpoints: signed heads, bad signatures and wrong keys fail verification."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shailoo.domain.errors import InputError
from shailoo.domain.model import Election, Party, Station
from shailoo.ledger import Store
from shailoo.ledger.export import export_jsonl, verify_file
from shailoo.ledger.signing import create_key, load_key, public_hex, sign_head
from shailoo.ledger.verify import verify_store


def define(store: Store, key: Ed25519PrivateKey) -> None:
    e = Election(
        id="e1",
        name="E",
        law="",
        law_name="t",
        parties=(Party("a", "A"),),
        stations=(Station("1", "r", "d", 10),),
    )
    payload = e.to_payload()
    payload["public_key"] = public_hex(key)
    store.append("e1", [("election.defined", payload, "cec")])
    store.append(
        "e1",
        [("protocol.recorded", {"station": "1", "source": "official", "votes": {"a": 1}}, "op")],
    )


def test_key_file_is_private_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / "c.key"
    key = create_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert public_hex(load_key(path)) == public_hex(key)
    assert (tmp_path / "c.key.pub").read_text().strip() == public_hex(key)
    with pytest.raises(InputError):
        create_key(path)  # never overwritten


def test_signed_head_verifies_and_resigning_is_idempotent(store: Store) -> None:
    key = Ed25519PrivateKey.generate()
    define(store, key)
    cp = sign_head(store, "e1", key)
    assert cp is not None and cp.seq == 2
    assert sign_head(store, "e1", key) == cp
    (report,) = verify_store(store)
    assert report.ok and report.checkpoints == 1 and report.signed_through == 2
    assert not verify_store(store, trusted_key=public_hex(Ed25519PrivateKey.generate()))[0].ok


def test_forged_signature_fails(store: Store) -> None:
    key = Ed25519PrivateKey.generate()
    define(store, key)
    cp = sign_head(store, "e1", key)
    assert cp is not None
    other = Ed25519PrivateKey.generate()
    forged = other.sign(b"anything").hex()
    store.execute("UPDATE ledger_checkpoint SET signature = ? WHERE seq = 2", (forged,))
    (report,) = verify_store(store)
    assert not report.ok and report.first_bad_seq == 2 and "signature" in report.summary()


def test_checkpoint_signed_by_another_key_fails(store: Store) -> None:
    key = Ed25519PrivateKey.generate()
    define(store, key)
    sign_head(store, "e1", Ed25519PrivateKey.generate())  # not the election's key
    assert not verify_store(store)[0].ok


def test_export_round_trip(store: Store, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    define(store, key)
    sign_head(store, "e1", key)
    path = tmp_path / "e1.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        assert export_jsonl(store, "e1", fh) == 2
    report = verify_file(path, trusted_key=public_hex(key))
    assert report.ok and report.events == 2 and report.checkpoints == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    del lines[-1]  # drop the signed last event
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = verify_file(path)
    assert not report.ok and report.first_bad_seq == 2
