"""Which protocol of a station counts: the counting rule, in one place.

A station may hold several protocols at once: the commission's ``official`` one, an operator's
``second-entry`` of the same paper (double data entry), a voting machine's printout (``machine``)
and observers' copies (``observer:<id>``). Only one of them enters the results. The rule is:

1. If the observers' reconciliation resolved the station (``reconciliation.resolved``), the
   newest protocol from the accepted source counts.
2. Otherwise the newest ``official`` protocol counts — but when the election requires double data
   entry (``election.double_entry``), only once a ``second-entry`` protocol agrees with it on every
   line. Until then the station is not reported, and the reason says why.

Every other source is kept and readable but never counted. The observer engineer's reconciliation
calls :func:`accepted_protocol` (and :func:`entries_agree`) rather than repeating the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shailoo.domain.events import protocol_from_payload as read_protocol_payload
from shailoo.domain.model import PROTOCOL_COUNTS, Protocol
from shailoo.tally.payloads import ProtocolPayload

OFFICIAL = "official"
SECOND_ENTRY = "second-entry"
NO_OFFICIAL = "no official protocol"

#: the fields of a protocol payload that are numbers (``votes`` aside)
NUMERIC_FIELDS = PROTOCOL_COUNTS


def protocol_from_payload(payload: Mapping[str, Any] | ProtocolPayload) -> Protocol:
    """Build a :class:`Protocol` from a ``protocol.recorded`` / ``protocol.corrected`` payload.

    The payload is the ledger's dict or the struct a rebuild decodes it into
    (:class:`~shailoo.tally.payloads.ProtocolPayload`); both give the same protocol.
    """
    if isinstance(payload, ProtocolPayload):
        return payload.to_protocol()
    return read_protocol_payload(payload)


def entries_agree(a: Protocol, b: Protocol) -> bool:
    """True when two entries of one paper protocol agree on every numeric line."""
    return a.counts() == b.counts()


def accepted_protocol(
    versions: Mapping[str, Protocol],
    *,
    double_entry: bool,
    resolved_source: str | None = None,
) -> tuple[Protocol | None, str]:
    """The protocol that counts for one station, and why (or why none does).

    ``versions`` maps each source to its newest protocol for the station. Returns
    ``(protocol, reason)``; ``protocol`` is None when nothing counts yet.
    """
    if resolved_source is not None:
        chosen = versions.get(resolved_source)
        if chosen is None:
            return None, f"reconciliation accepted {resolved_source!r}, which has no protocol"
        return chosen, f"reconciliation accepted {resolved_source!r}"
    official = versions.get(OFFICIAL)
    if official is None:
        return None, NO_OFFICIAL
    if not double_entry:
        return official, OFFICIAL
    second = versions.get(SECOND_ENTRY)
    if second is None:
        return None, "awaiting the second entry (double data entry)"
    if not entries_agree(official, second):
        differ = sorted(
            k for k, v in official.counts().items() if second.counts().get(k) != v
        ) or sorted(set(second.counts()) - set(official.counts()))
        return None, "official and second entry disagree on " + ", ".join(differ)
    return official, "official, confirmed by the second entry"
