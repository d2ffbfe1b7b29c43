"""Evidence files (photos, videos, scans) stored by the SHA-256 of their content.

The ledger holds only the hash and the original file name (``incident.reported``'s
``evidence``); the bytes live in a directory beside the database, one file per hash:
``<db>.evidence/<sha256>`` for a SQLite database ``<db>``; for PostgreSQL (no file to sit
beside) ``$SHAILOO_EVIDENCE`` or ``./shailoo-evidence``. Because the name *is* the hash, a file
cannot be swapped without the ledger noticing (:meth:`EvidenceStore.verify`), the same photo sent
twice is stored once, and the directory can be copied anywhere and checked against an exported
ledger.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from shailoo.domain.errors import InputError, NotFound

SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: read files in blocks of this size so that large videos do not fill memory
BLOCK = 1 << 20


def evidence_dir_for(db: str) -> Path:
    """Where the evidence of database ``db`` lives (see the module docstring)."""
    if os.environ.get("SHAILOO_EVIDENCE"):
        return Path(os.environ["SHAILOO_EVIDENCE"])
    if db.startswith(("postgresql://", "postgres://")):
        return Path("shailoo-evidence")
    return Path(f"{db}.evidence")


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file's content, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
    return h.hexdigest()


class EvidenceStore:
    """A content-addressed directory of evidence files."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def put(self, path: str | Path) -> dict[str, str]:
        """Copy a file in under its hash; return ``{name, sha256}`` for the ledger.

        Writing goes through a temporary file and an atomic rename, so a crash never leaves a
        partial file under a valid hash.
        """
        src = Path(path)
        if not src.is_file():
            raise InputError(
                "evidence is a folder; give its files one by one"
                if src.is_dir()
                else "evidence file not found",
                file=str(src),
                rule="no-such-file",
                values={"path": str(src)},
            )
        digest = sha256_of(src)
        target = self.root / digest
        if not target.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
            os.close(fd)
            try:
                shutil.copyfile(src, tmp)
                if sha256_of(Path(tmp)) != digest:
                    raise InputError(
                        "evidence file changed while it was copied",
                        file=str(src),
                        rule="changed-while-copied",
                    )
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        return {"name": src.name, "sha256": digest}

    def path(self, digest: str) -> Path:
        """The stored file of a hash (:class:`NotFound` if it is absent)."""
        if not SHA256.match(digest):
            raise InputError(
                "not a SHA-256 hex digest", rule="bad-sha256", values={"sha256": digest}
            )
        p = self.root / digest
        if not p.is_file():
            raise NotFound(f"evidence {digest} is not in {self.root}")
        return p

    def verify(self, digest: str) -> bool:
        """True when the stored file is present and its content still has that hash."""
        try:
            return sha256_of(self.path(digest)) == digest
        except NotFound:
            return False
