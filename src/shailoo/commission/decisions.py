"""Certify, annul and revoke: the commission's decisions, each with its reason, basis and vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shailoo.domain.days import calendar_day
from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import DECISION_MADE, DECISION_REVOKED
from shailoo.tally.projection import Tally
from shailoo.tally.units import Decision, normalise_level

if TYPE_CHECKING:
    from shailoo.ledger import Store

ACTIONS = ("certify", "annul")
#: units a decision can name; ``election`` is the whole election
DECISION_LEVELS = ("station", "district", "region", "election")


@dataclass(frozen=True)
class Vote:
    """The commission's vote on a decision."""

    for_: int
    against: int
    abstained: int = 0

    def check(self) -> None:
        """Raise :class:`InputError` for a negative count and :class:`Refused` for a lost vote.

        A decision the commission did not adopt (no more votes for than against) is not an
        act of the commission and is not recorded.
        """
        for name, value in (("for", self.for_), ("against", self.against)):
            if value < 0:
                raise InputError("a vote count cannot be negative", column=name, rule="vote")
        if self.abstained < 0:
            raise InputError("a vote count cannot be negative", column="abstained", rule="vote")
        if self.for_ <= self.against:
            raise Refused(
                f"the vote was not carried ({self.for_} for, {self.against} against): "
                "only adopted decisions are recorded"
            )

    def payload(self) -> dict[str, int]:
        """The ``vote`` object of the event."""
        return {"for": self.for_, "against": self.against, "abstained": self.abstained}


@dataclass(frozen=True)
class LegalBasis:
    """The article of law a decision rests on, and its text."""

    article: str
    text: str

    def check(self) -> None:
        """Raise :class:`InputError` unless both the article and its text are given."""
        if not self.article.strip():
            raise InputError("a decision needs the article of law it rests on", rule="legal-basis")
        if not self.text.strip():
            raise InputError("a decision needs the text of its legal basis", rule="legal-basis")


def _next_id(tally: Tally) -> str:
    return f"D{len(tally.decisions) + 1}"


def _refuse_if_closed(tally: Tally) -> None:
    whole = [r["by"] for r in tally.replaced_by if r["scope"].get("level") == "election"]
    if whole:
        raise Refused(
            f"election {tally.election.id!r} was replaced by {whole[-1]!r}; its ledger is closed"
        )


def _open_tally(
    store: Store,
    election_id: str,
    basis: LegalBasis,
    vote: Vote,
    date: str,
    tally: Tally | None,
) -> tuple[str, Tally]:
    """Check the basis, vote and date every decision carries; return the date and the tally.

    The tally is ``tally`` when given, else rebuilt from the ledger; a closed ledger is refused.
    """
    basis.check()
    vote.check()
    date = calendar_day(date, "the decision date")
    if tally is None:
        tally = Tally.rebuild(store.election(election_id), store.events(election_id))
    _refuse_if_closed(tally)
    return date, tally


def _record(
    store: Store,
    election_id: str,
    tally: Tally,
    event_type: str,
    what: dict[str, Any],
    *,
    reason: str,
    basis: LegalBasis,
    vote: Vote,
    date: str,
    author: str,
) -> Decision:
    """Append the decision event (``what`` plus reason, basis, vote and date); return it.

    The decision id is the next free one under the election's write lock: when another
    writer appended since ``tally`` was read (two clerks deciding at once), the tally first
    catches up with those events, so two decisions never share an id.
    """
    payload: dict[str, Any] = {
        "decision_id": "",
        **what,
        "reason": reason.strip(),
        "legal_basis": {"article": basis.article.strip(), "text": basis.text.strip()},
        "vote": vote.payload(),
        "date": date,
    }
    with store.writing(election_id) as w:
        if w.head_seq > tally.head_seq:
            tally.apply_all(store.events(election_id, after_seq=tally.head_seq))
            _refuse_if_closed(tally)
        payload["decision_id"] = _next_id(tally)
        (event,) = w.append([(event_type, payload, author)])
    tally.apply(event)
    return tally.decisions[payload["decision_id"]]


def make_decision(
    store: Store,
    election_id: str,
    *,
    action: str,
    level: str,
    unit: str,
    reason: str,
    basis: LegalBasis,
    vote: Vote,
    date: str,
    author: str,
    tally: Tally | None = None,
) -> Decision:
    """Validate and record a ``certify`` or ``annul`` decision on a unit; return it.

    ``level`` is ``station``, ``district``, ``region`` or ``election`` (then ``unit`` may be
    empty). Refuses to annul what is already annulled, and to certify what is annulled.
    """
    if action not in ACTIONS:
        raise InputError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}", rule="action")
    if normalise_level(level) == "nation":
        level = "election"
    if level not in DECISION_LEVELS:
        raise InputError(
            f"unknown unit level {level!r}; one of {', '.join(DECISION_LEVELS)}", rule="level"
        )
    unit = unit.strip()
    if level != "election" and not unit:
        raise InputError(
            f"a decision on a {level} names the {level} (the unit)", column="unit", rule="unit"
        )
    if level == "election" and unit and unit != election_id:
        # --unit with --level election is ambiguous: did the commission mean a smaller unit?
        raise InputError(
            "a decision on the whole election takes no unit; "
            "decide on a station, district or region to name one",
            column="unit",
            rule="unit",
            values={"level": level, "unit": unit},
        )
    if not reason.strip():
        raise InputError("a decision needs its reason", column="reason", rule="reason")
    date, tally = _open_tally(store, election_id, basis, vote, date, tally)
    unit = election_id if level == "election" else unit
    if not tally.has_unit(level, unit):
        raise NotFound(f"election {election_id!r} has no {level} {unit!r}")
    what = f"the {level}" + ("" if level == "election" else f" {unit}")
    annulled = tally.annulled_by(level, unit)
    if annulled:
        verb = "annul" if action == "annul" else "certify"
        raise Refused(f"cannot {verb} {what}: already annulled by {', '.join(annulled)}")
    if action == "certify" and tally.certified_by(level, unit):
        raise Refused(f"{what} is already certified")
    return _record(
        store,
        election_id,
        tally,
        DECISION_MADE,
        {"action": action, "unit": {"level": level, "id": unit}},
        reason=reason,
        basis=basis,
        vote=vote,
        date=date,
        author=author,
    )


def revoke_decision(
    store: Store,
    election_id: str,
    *,
    revokes: str,
    reason: str,
    basis: LegalBasis,
    vote: Vote,
    date: str,
    author: str,
    tally: Tally | None = None,
) -> Decision:
    """Record a decision revoking an earlier, standing decision; return the revocation.

    The revoked decision stays in the ledger, marked as revoked; an annulment's units count
    again. A revocation cannot itself be revoked (make the decision again instead).
    """
    if not reason.strip():
        raise InputError("a revocation needs its reason", column="reason", rule="reason")
    date, tally = _open_tally(store, election_id, basis, vote, date, tally)
    target = tally.decisions.get(revokes)
    if target is None:
        known = ", ".join(tally.decisions) or "none"
        raise NotFound(f"no decision {revokes!r} in election {election_id!r} (decisions: {known})")
    if target.action == "revoke":
        raise Refused(f"{revokes} is a revocation; to restore what it undid, decide again")
    if not target.standing:
        raise Refused(f"{revokes} was already revoked by {target.revoked_by}")
    return _record(
        store,
        election_id,
        tally,
        DECISION_REVOKED,
        {"revokes": revokes},
        reason=reason,
        basis=basis,
        vote=vote,
        date=date,
        author=author,
    )
