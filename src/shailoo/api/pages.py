"""Builders of the public pages' data: national, region, district, station and the lists."""

from __future__ import annotations

from typing import Any

from shailoo.api import results, views
from shailoo.domain.events import PROTOCOL_CORRECTED
from shailoo.domain.model import Election, Protocol
from shailoo.ledger import Store


class Context:
    """What one page build reads: the store, the election and its current protocols."""

    def __init__(self, store: Store, election_id: str) -> None:
        self.store = store
        self.election: Election = store.election(election_id)
        self.info = views.election_info(store, self.election)
        self.decisions = views.decisions(store, election_id)
        self.stations = views.station_index(self.election)
        self.units = views.units(self.election)
        self._protocols: dict[str, Protocol] | None = None

    @property
    def annulled(self) -> list[dict[str, Any]]:
        """Annulments in force."""
        return [d for d in self.decisions if d["in_force"] and d.get("action") == "annul"]

    def is_annulled(self, station: str) -> bool:
        """True when a decision in force annuls the station's result (or a unit holding it)."""
        s = self.stations[station]
        return any(views.affects(d, s.id, s.region, s.district) for d in self.annulled)

    def protocols(self) -> dict[str, Protocol]:
        """The counted protocol of every reported, not annulled station."""
        if self._protocols is None:
            latest = self.store.latest_protocols(self.election.id)
            out: dict[str, Protocol] = {}
            for (station, source), ev in latest.items():
                if source != "official" or station not in self.stations:
                    continue
                if self.is_annulled(station):
                    continue
                out[station] = results.protocol_from_payload(dict(ev.payload))
            self._protocols = out
        return self._protocols

    def totals(self, station_ids: list[str]) -> dict[str, Any]:
        """Results of the stations ``station_ids``."""
        protocols = self.protocols()
        counted = [protocols[s] for s in station_ids if s in protocols]
        registered = sum(self.stations[s].registered for s in station_ids)
        return results.totals_dict(self.election, counted, len(station_ids), registered)


def _children(ctx: Context, level: str, ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for uid in ids:
        if level == "region":
            stations = [s for d in ctx.units["regions"][uid] for s in ctx.units["districts"][d]]
        elif level == "district":
            stations = ctx.units["districts"][uid]
        else:
            stations = [uid]
        t = ctx.totals(stations)
        leader = max(t["parties"], key=lambda p: p["votes"], default=None)
        out.append(
            {
                "level": level,
                "id": uid,
                "registered": t["registered"],
                "ballots_cast": t["ballots_cast"],
                "turnout": t["turnout"],
                "stations_reported": t["stations_reported"],
                "stations_total": t["stations_total"],
                "leader": leader["id"] if leader and leader["votes"] else None,
                "leader_share": leader["share_of_cast"] if leader and leader["votes"] else None,
                "annulled": level == "station" and ctx.is_annulled(uid),
            }
        )
    return out


def national(store: Store, election_id: str) -> dict[str, Any]:
    """The national page: totals, parties, seats, regions, decisions in force."""
    ctx = Context(store, election_id)
    t = ctx.totals(list(ctx.stations))
    return {
        "election": ctx.info,
        "unit": {"level": "election", "id": election_id},
        "results": t,
        "seats": seats(ctx),
        "children": _children(ctx, "region", list(ctx.units["regions"])),
        "decisions_in_force": [d for d in ctx.decisions if d["in_force"]],
    }


def unit(store: Store, election_id: str, level: str, unit_id: str) -> dict[str, Any]:
    """A region or district page: totals, parties and the units below it."""
    ctx = Context(store, election_id)
    views.check_unit(ctx.election, level, unit_id)
    if level == "region":
        child_level, child_ids = "district", ctx.units["regions"][unit_id]
        stations = [s for d in child_ids for s in ctx.units["districts"][d]]
        parent = None
    else:
        child_level, child_ids = "station", ctx.units["districts"][unit_id]
        stations = child_ids
        parent = {"level": "region", "id": ctx.stations[stations[0]].region}
    return {
        "election": ctx.info,
        "unit": {"level": level, "id": unit_id, "parent": parent},
        "results": ctx.totals(stations),
        "children": _children(ctx, child_level, child_ids),
        "decisions": [
            d
            for d in ctx.decisions
            if (d.get("unit") or {}).get("level") in ("election", level)
            and (d.get("unit") or {}).get("id") in (unit_id, election_id, None)
        ],
    }


def station(store: Store, election_id: str, station_id: str) -> dict[str, Any]:
    """A station page: its counted protocol, every version from every source, incidents, decisions."""
    ctx = Context(store, election_id)
    views.check_unit(ctx.election, "station", station_id)
    s = ctx.stations[station_id]
    history = []
    for ev in store.protocol_history(election_id, station_id):
        p = dict(ev.payload)
        history.append(
            {
                "kind": ev.kind,
                "correction": ev.kind == PROTOCOL_CORRECTED,
                "source": p.get("source"),
                "entered_by": p.get("entered_by"),
                "reason": p.get("reason"),
                "warnings": p.get("warnings") or [],
                "protocol": {k: p.get(k) for k in _PROTOCOL_KEYS},
                "event": views._event_brief(ev),
            }
        )
    counted = ctx.protocols().get(station_id)
    return {
        "election": ctx.info,
        "unit": {
            "level": "station",
            "id": station_id,
            "region": s.region,
            "district": s.district,
            "registered": s.registered,
            "extra": dict(s.extra),
        },
        "annulled": ctx.is_annulled(station_id),
        "results": ctx.totals([station_id]),
        "protocol": None if counted is None else _protocol_dict(counted),
        "history": history,
        "incidents": views.incidents(store, election_id, station_id),
        "decisions": [
            d for d in ctx.decisions if views.affects(d, station_id, s.region, s.district)
        ],
        "risk": None,
    }


_PROTOCOL_KEYS = (
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
    "votes",
)


def _protocol_dict(p: Protocol) -> dict[str, Any]:
    out: dict[str, Any] = p.counts()
    out = {k: out[k] for k in _PROTOCOL_KEYS[:-1]}
    out["votes"] = dict(p.votes)
    out["source"] = p.source
    return out


def seats(ctx: Context) -> dict[str, Any]:
    """Seats by the election's law from the current results (empty when annulled)."""
    return {"available": False, "total": 0, "parties": [], "explanation": [], "annulled": False}


def decisions_page(store: Store, election_id: str) -> dict[str, Any]:
    """Every decision of the commission with its vote, legal basis and whether it is in force."""
    return {
        "election": views.election_info(store, store.election(election_id)),
        "decisions": views.decisions(store, election_id),
    }


def incidents_page(store: Store, election_id: str) -> dict[str, Any]:
    """Every incident observers reported, with its status and the commission's response."""
    return {
        "election": views.election_info(store, store.election(election_id)),
        "incidents": views.incidents(store, election_id),
    }


def elections_page(store: Store) -> dict[str, Any]:
    """Every election in the database, newest last, with what replaced what."""
    return {"elections": [views.election_info(store, store.election(e)) for e in store.elections()]}


def forensics_page(store: Store, election_id: str) -> dict[str, Any]:
    """The election's forensic summary: each test's statistic, null, p-value and meaning."""
    return {
        "election": views.election_info(store, store.election(election_id)),
        "available": False,
        "summary": None,
        "top_stations": [],
    }


#: the files of the downloads page: (path, what it holds)
DOWNLOADS = (
    ("results.csv", "the counted protocol of every station (canonical protocol CSV)"),
    ("results.json", "national, regional and district results with seats"),
    ("nist.json", "results as NIST SP 1500-100 version 2 JSON"),
    ("ledger.jsonl", "the whole ledger as JSON Lines, to verify with 'shailoo verify --file'"),
    ("public-key.pem", "the commission's Ed25519 public key that signs the ledger checkpoints"),
    ("forensics.json", "every statistic of the forensic checks"),
)


def downloads_page(store: Store, election_id: str) -> dict[str, Any]:
    """The downloadable files and what each holds."""
    head = store.head(election_id)
    return {
        "election": views.election_info(store, store.election(election_id)),
        "head": None if head is None else {"seq": head.seq, "hash": head.hash},
        "files": [{"name": n, "href": f"/download/{n}", "about": a} for n, a in DOWNLOADS],
    }
