"""Accredited observers and the scope they may report in.

Kyrgyz electoral law (the constitutional law on elections of the President and deputies of the
Jogorku Kenesh) lets accredited observers attend the vote and the count at the polling stations
their accreditation covers; the article is not pinned here because the project's research notes
do not quote it. Shailoo refuses anything an observer files outside that scope, so that a report
always comes from someone entitled to see what it describes.

Pure: an :class:`Observer` is built from its ``observer.accredited`` payload and checked
against a station and a date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from shailoo.domain.errors import InputError, Refused
from shailoo.domain.model import Station

#: an observer id is a short slug; it appears in source names (``observer:<id>``)
OBSERVER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def parse_date(value: str, what: str = "date") -> date:
    """The day of an ISO date or date-time (``2020-10-04``, ``2020-10-04T11:20``).

    Anything else is an :class:`InputError` naming ``what``.
    """
    try:
        if len(value) <= 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise InputError(
            f"{what} is not an ISO date or date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
            column=what,
            rule="bad-date",
            values={what: value},
        ) from None


@dataclass(frozen=True)
class Observer:
    """An accredited observer: who, for which organisation, where and when.

    ``stations`` and ``districts`` together form the scope (a station is covered when it is
    listed or its district is); ``valid_from`` / ``valid_to`` bound the accreditation, inclusive.
    """

    id: str
    organisation: str
    name: str
    stations: frozenset[str]
    districts: frozenset[str]
    valid_from: date
    valid_to: date

    @classmethod
    def create(
        cls,
        id: str,
        organisation: str,
        name: str,
        *,
        stations: Iterable[str] = (),
        districts: Iterable[str] = (),
        valid_from: str,
        valid_to: str,
    ) -> Observer:
        """Validate and build an accreditation (id slug, non-empty scope, ordered dates)."""
        if not OBSERVER_ID.match(id):
            raise InputError(
                "observer id must be a short slug (letters, digits, '.', '_', '-')",
                column="observer_id",
                rule="bad-observer-id",
                values={"observer_id": id},
            )
        st, ds = frozenset(stations), frozenset(districts)
        if not st and not ds:
            raise InputError(
                "an accreditation needs a scope: at least one station or district",
                column="scope",
                rule="empty-scope",
                values={"observer_id": id},
            )
        start, end = parse_date(valid_from, "valid_from"), parse_date(valid_to, "valid_to")
        if end < start:
            raise InputError(
                "accreditation ends before it starts",
                column="valid_to",
                rule="bad-dates",
                values={"valid_from": valid_from, "valid_to": valid_to},
            )
        return cls(id, organisation, name, st, ds, start, end)

    @property
    def source(self) -> str:
        """The protocol source name of this observer's copies: ``observer:<id>``."""
        return f"observer:{self.id}"

    def scope_text(self) -> str:
        """The scope in words, for messages."""
        parts = []
        if self.stations:
            parts.append("stations " + ", ".join(sorted(self.stations)))
        if self.districts:
            parts.append("districts " + ", ".join(sorted(self.districts)))
        return f"{'; '.join(parts)}; valid {self.valid_from} to {self.valid_to}"

    def covers(self, station: Station) -> bool:
        """True when the station (or its district) is in scope."""
        return station.id in self.stations or station.district in self.districts

    def check(self, station: Station, on: date) -> None:
        """Refuse (:class:`Refused`) a report about ``station`` on ``on`` outside the scope."""
        if not self.covers(station):
            raise Refused(
                f"observer {self.id} ({self.organisation}) is not accredited for station "
                f"{station.id} (district {station.district}); scope: {self.scope_text()}"
            )
        if not self.valid_from <= on <= self.valid_to:
            raise Refused(
                f"observer {self.id} ({self.organisation}) is not accredited on {on} for "
                f"station {station.id}; scope: {self.scope_text()}"
            )

    def to_payload(self) -> dict[str, object]:
        """The ``observer.accredited`` payload."""
        return {
            "observer_id": self.id,
            "organisation": self.organisation,
            "name": self.name,
            "scope": {"stations": sorted(self.stations), "districts": sorted(self.districts)},
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> Observer:
        """Build the observer from its ``observer.accredited`` payload."""
        scope = payload.get("scope") or {}
        assert isinstance(scope, Mapping)
        return cls(
            id=str(payload["observer_id"]),
            organisation=str(payload.get("organisation", "")),
            name=str(payload.get("name", "")),
            stations=frozenset(str(s) for s in scope.get("stations") or ()),
            districts=frozenset(str(d) for d in scope.get("districts") or ()),
            valid_from=date.fromisoformat(str(payload["valid_from"])),
            valid_to=date.fromisoformat(str(payload["valid_to"])),
        )

    def to_dict(self) -> dict[str, object]:
        """JSON shape for the CLI and the API."""
        return self.to_payload()
