"""The commission's acts on the ledger: certify, annul, revoke, and re-run an election.

Each act is validated against the current tally and appended to the ledger as an event
(``decision.made``, ``decision.revoked``, ``election.replaced``, ``election.defined``); nothing is
ever changed in place, so every annulled figure stays readable in the history.
"""

from shailoo.commission.decisions import LegalBasis, Vote, make_decision, revoke_decision
from shailoo.commission.rerun import create_rerun, read_parties_csv

__all__ = [
    "LegalBasis",
    "Vote",
    "create_rerun",
    "make_decision",
    "read_parties_csv",
    "revoke_decision",
]
