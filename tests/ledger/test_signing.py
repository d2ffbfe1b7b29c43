"""Checkpoints: signed heads, bad signatures and wrong keys fail verification."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
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


def _private_raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


@pytest.mark.parametrize("line_ending", ["\n", "\r\n"])
def test_a_key_create_key_wrote_loads_as_cryptography_loads_it(
    tmp_path: Path, line_ending: str
) -> None:
    # load_key reads that one form itself (no import of cryptography's serialization)
    path = tmp_path / "c.key"
    key = create_key(path)
    path.write_bytes(path.read_bytes().replace(b"\n", line_ending.encode()))
    reference = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(reference, Ed25519PrivateKey)
    assert _private_raw(load_key(path)) == _private_raw(reference) == _private_raw(key)


def test_other_key_files_are_read_by_cryptography(tmp_path: Path) -> None:
    # not the fixed form: refused or read by cryptography, with the messages as before
    key = Ed25519PrivateKey.generate()
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = tmp_path / "k"
    for refused in (
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ),
        pkcs8.replace(b"\n-----END", b"!\n-----END"),  # a stray character in the base64
    ):
        path.write_bytes(refused)
        with pytest.raises(InputError, match="not a PEM private key"):
            load_key(path)
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(InputError, match="not an Ed25519 key"):
        load_key(path)


def test_a_password_protected_key_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(InputError, match="encrypted with a password") as caught:
        load_key(path)
    assert caught.value.rule == "bad-key"


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
