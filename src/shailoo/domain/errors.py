"""The one exception hierarchy of Shailoo.

Every error a user can cause is a :class:`ShailooError`. Input errors carry where the bad value
is (file, line, column), which rule it broke and the values involved, so that the CLI and the API
can print one actionable line instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ShailooError(Exception):
    """Base of every error Shailoo raises on purpose."""

    #: process exit code the CLI uses for this kind of error
    exit_code: int = 2

    def to_dict(self) -> dict[str, Any]:
        """Return the error as the JSON shape shared by the CLI and the API."""
        return {"error": type(self).__name__, "message": str(self)}


class InputError(ShailooError):
    """A value in an input file or request is unreadable or breaks a rule.

    ``file``, ``line`` (1-based, the header is line 1) and ``column`` locate the value;
    ``rule`` is a stable code such as ``P101`` or ``not-an-integer``; ``values`` holds the
    numbers that disagree.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        rule: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.values = dict(values or {})
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: ``file:line: column col: [rule] message (values)``."""
        where = []
        if self.file is not None:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ": ".join(where)
        rule = f"[{self.rule}] " if self.rule else ""
        values = ""
        if self.values:
            values = " (" + ", ".join(f"{k}={v!r}" for k, v in self.values.items()) + ")"
        body = f"{rule}{self.message}{values}"
        return f"{prefix}: {body}" if prefix else body

    def to_dict(self) -> dict[str, Any]:
        """Return the error with its location, rule and values."""
        out = super().to_dict()
        out.update(
            file=self.file, line=self.line, column=self.column, rule=self.rule, values=self.values
        )
        return out


class LawError(ShailooError):
    """A law file is malformed or asks for something the engine cannot do."""


class LedgerError(ShailooError):
    """The ledger cannot be read or written, or does not verify."""


class NotFound(ShailooError):
    """A station, unit, election, decision or other named thing does not exist."""


class Refused(ShailooError):
    """The action is understood but not allowed (role, scope, state of the election)."""

    exit_code = 1
