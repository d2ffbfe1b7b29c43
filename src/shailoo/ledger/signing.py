"""The commission key (Ed25519) and signed checkpoints over the chain head.

A checkpoint says "the commission saw the ledger of election E with event ``seq`` having hash
H". Its signed message is the canonical JSON (see :mod:`shailoo.ledger.encoding`) of
``{"election_id", "hash", "seq", "signed_at", "type": "shailoo.checkpoint.v1"}`` in UTF-8.

Where the private key lives: for a SQLite database ``X.db`` beside it as ``X.db.key`` (PEM,
PKCS#8, created with mode 0600), for PostgreSQL wherever ``--key PATH`` or ``$SHAILOO_KEY``
says. The public key is written beside it as ``<key>.pub`` (raw 32 bytes in hex) and is also part
of the ``election.defined`` event (``public_key``), so the chain itself carries it.
"""

from __future__ import annotations

import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shailoo.domain.errors import InputError, LedgerError

# where the key is: in the package, so that a command can look for it without importing
# cryptography (about 20 ms) when there is none; still importable from here
from shailoo.ledger import default_key_path as default_key_path
from shailoo.ledger.encoding import canonical_json
from shailoo.ledger.store import Checkpoint, Store, utc_now

CHECKPOINT_TYPE = "shailoo.checkpoint.v1"

# cryptography's serialization package (PEM, PKCS#8, SSH...) costs about 25 ms of imports, as
# much again as Ed25519 itself; an import that signs its head only loads the key create_key
# wrote. That file is the PEM of one fixed DER form (RFC 8410: PKCS#8 v1, no attributes)
# around the 32-byte private key, read here directly; any other file goes to cryptography.
_PEM_BEGIN, _PEM_END = b"-----BEGIN PRIVATE KEY-----", b"-----END PRIVATE KEY-----"
_ED25519_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")


def _ed25519_pkcs8_key(data: bytes) -> Ed25519PrivateKey | None:
    """The key of a PEM file in exactly the form :func:`create_key` writes, else None."""
    text = data.strip()
    if not (text.startswith(_PEM_BEGIN) and text.endswith(_PEM_END)):
        return None
    body = b"".join(text[len(_PEM_BEGIN) : -len(_PEM_END)].split())
    try:
        der = binascii.a2b_base64(body, strict_mode=True)
    except binascii.Error:
        return None
    if len(der) != len(_ED25519_PKCS8) + 32 or not der.startswith(_ED25519_PKCS8):
        return None
    return Ed25519PrivateKey.from_private_bytes(der[len(_ED25519_PKCS8) :])


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key in lowercase hex."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes_raw().hex()


def create_key(path: Path) -> Ed25519PrivateKey:
    """Create a new private key at ``path`` (mode 0600, never overwritten) and ``path.pub``."""
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise InputError(
            f"key file {path} already exists; use it (init reuses it) or move it away",
            file=str(path),
            rule="key-exists",
        ) from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    Path(str(path) + ".pub").write_text(public_hex(key) + "\n", encoding="ascii")
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    """Load the commission's private key from ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the commission key: {exc}", file=str(path)) from exc
    fast = _ed25519_pkcs8_key(data)
    if fast is not None:
        return fast
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # cryptography's way of saying the key needs a password
        raise InputError(
            "the key file is encrypted with a password; shailoo signs with an unencrypted "
            "Ed25519 key (made by `shailoo init`): keep that file offline instead",
            file=str(path),
            rule="bad-key",
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(
            "the file is not a PEM private key", file=str(path), rule="bad-key"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("the key is not an Ed25519 key", file=str(path), rule="bad-key")
    return key


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, created first if the file does not exist (``.pub`` restored)."""
    if not path.exists():
        return create_key(path)
    key = load_key(path)
    pub = Path(str(path) + ".pub")
    if not pub.exists():
        pub.write_text(public_hex(key) + "\n", encoding="ascii")
    return key


def checkpoint_message(election_id: str, seq: int, hash_: str, signed_at: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return canonical_json(
        {
            "election_id": election_id,
            "hash": hash_,
            "seq": seq,
            "signed_at": signed_at,
            "type": CHECKPOINT_TYPE,
        }
    ).encode("utf-8")


def sign_head(store: Store, election_id: str, key: Ed25519PrivateKey) -> Checkpoint | None:
    """Sign the election's current head and store the checkpoint; None if it has no events."""
    head = store.head(election_id)
    if head is None:
        return None
    for cp in reversed(store.checkpoints(election_id)):
        if cp.seq == head.seq and cp.public_key == public_hex(key):
            return cp  # already signed: re-importing the same file adds nothing, not even this
    signed_at = utc_now()
    sig = key.sign(checkpoint_message(election_id, head.seq, head.hash, signed_at))
    cp = Checkpoint(election_id, head.seq, head.hash, signed_at, public_hex(key), sig.hex())
    store.add_checkpoint(cp)
    return cp


def signature_holds(cp: Checkpoint, public_key_hex: str) -> bool:
    """True if ``cp`` is signed by the key ``public_key_hex`` (raw hex)."""
    try:
        pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        pub.verify(
            bytes.fromhex(cp.signature),
            checkpoint_message(cp.election_id, cp.seq, cp.hash, cp.signed_at),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def read_public_key(path: Path) -> str:
    """Read a ``.pub`` file (hex) and return the hex key."""
    try:
        text = path.read_text(encoding="ascii").strip()
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except (OSError, ValueError) as exc:
        raise LedgerError(f"{path}: not a Shailoo public key file ({exc})") from exc
    return text
