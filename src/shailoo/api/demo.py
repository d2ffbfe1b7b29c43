"""The demo election: a synthetic Kyrgyz-2020-like vote carried from protocols to seats.

:func:`build_demo` simulates the election (2,460 stations in 9 regions, 16 parties and against
all, 3.5 million registered, calibrated to the CEC preliminary shares of 5 October 2020) with vote
buying planted in a few districts and a few protocols rewritten, then does what a commission and
its observers would: defines the election, imports the protocols, accredits observers who report
the vote buying and file their own copies of the rewritten protocols, signs the ledger, and
creates staff accounts. :func:`annul_and_rerun` goes on as the CEC did on 6 October 2020.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from shailoo.api import auth
from shailoo.domain.errors import Refused
from shailoo.ledger import Store, open_store
from shailoo.ledger.signing import default_key_path, load_or_create_key, public_hex, sign_head

#: demo accounts: (name, role, scope); every password is ``DEMO_PASSWORD``
DEMO_PASSWORD = "shailoo-demo"
BATCH = 250


@dataclass
class DemoResult:
    """What the demo built: database, election ids and what was planted and found."""

    db: str
    election_id: str
    stations: int
    vote_buying_districts: list[str]
    rewritten: list[str]
    incidents: int
    disputed: list[str]
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    rerun_id: str | None = None
    forensics: str | None = None


def _say(out: Callable[[str], None] | None, text: str) -> None:
    if out is not None:
        out(text)


def _record(store: Store, election_id: str, protocols: list[Any], author: str) -> None:
    from shailoo.intake import record_protocols

    election = store.election(election_id)
    with tqdm(total=len(protocols), desc="protocols", unit="st", file=sys.stderr,
              disable=None) as bar:  # fmt: skip
        for i in range(0, len(protocols), BATCH):
            chunk = protocols[i : i + BATCH]
            result = record_protocols(store, election_id, chunk, author, election=election)
            if result.rejected:
                first = result.rejected[0]
                raise RuntimeError(
                    f"demo protocol refused: {first.protocol.station} {first.errors}"
                )
            bar.update(len(chunk))


def build_demo(
    db: str, *, seed: int = 2020, out: Callable[[str], None] | None = print
) -> DemoResult:
    """Build the demo election into the SQLite database ``db`` (replaced if it exists)."""
    from shailoo.intake import create_election
    from shailoo.observe.observers import Observer
    from shailoo.observe.service import accredit, record_observer_copies, report_incident
    from shailoo.simulate import kyrgyz_2020

    path = Path(db)
    if path.exists():
        # Only ever replace a database the demo made: never a commission's real ledger.
        with open_store(db) as existing:
            ids = existing.elections()
        if any(not e.startswith("kg-2020-sim-") for e in ids):
            raise Refused(
                f"{db} holds elections the demo did not make ({', '.join(ids)}); "
                "choose another --db for the demo"
            )
    for old in (
        path,
        Path(db + "-wal"),
        Path(db + "-shm"),
        Path(db + ".key"),
        Path(db + ".key.pub"),
    ):
        if old.exists():
            old.unlink()
    _say(out, "1. Simulating a Kyrgyz-2020-like election (vote buying in 3 districts, "
              "1 % of protocols rewritten) ...")  # fmt: skip
    sim = kyrgyz_2020(seed=seed, vote_buying_districts=3, rewritten=0.01)
    election = sim.election
    truth = sim.truth
    buying = sorted({s.district for s in election.stations if "vote_buying" in truth[s.id]})
    rewritten = sorted(sid for sid, kinds in truth.items() if "rewritten" in kinds)
    registered = sum(s.registered for s in election.stations)
    _say(out, f"   {len(election.stations):,} stations, {len(election.parties)} parties, "
              f"{registered:,} registered; vote buying in {', '.join(buying)}; "
              f"{len(rewritten)} protocols rewritten")  # fmt: skip

    key = load_or_create_key(default_key_path(db))
    with open_store(db) as store:
        _say(out, "2. Defining the election in a new ledger (law kg-2020) ...")
        create_election(
            store, law="kg-2020", parties=election.parties, stations=election.stations,
            author="cec", name=election.name, date=election.date, election_id=election.id,
            public_key=public_hex(key),
        )  # fmt: skip
        _say(out, "3. Importing the protocols (every one checked) ...")
        _record(store, election.id, sim.protocols, "import")

        _say(out, "4. Observers: accreditation, incidents of vote buying, copies of protocols ...")
        obs = Observer.create(
            "taza-shailoo-1", "Taza Shailoo (demo)", "Observer team 1",
            districts=buying, valid_from="2020-09-01", valid_to="2030-12-31",
        )  # fmt: skip
        accredit(store, election.id, obs, "cec")
        by_id = {s.id: s for s in election.stations}
        incidents = 0
        for sid in [s for s, k in truth.items() if "vote_buying" in k][:12]:
            report_incident(
                store, election.id, station=sid, category="vote-buying",
                time=f"{election.date}T{9 + incidents % 8:02d}:30",
                description=f"Voters at station {sid} said they were offered cash to vote "
                "for one list; a list of names was kept at the entrance.",
                author=obs.id, observer_id=obs.id,
            )  # fmt: skip
            incidents += 1
        copies_obs = Observer.create(
            "golos-1", "Observers' network (demo)", "Copy team",
            stations=rewritten, valid_from="2020-09-01", valid_to="2030-12-31",
        )  # fmt: skip
        if rewritten:
            accredit(store, election.id, copies_obs, "cec")
            true = [p for p in sim.true_protocols if p.station in set(rewritten)]
            record_observer_copies(
                store, election.id, copies_obs.id, true, copies_obs.id, on=date(2020, 10, 4)
            )
        _say(out, f"   {incidents} incidents reported; observers' copies filed for "
                  f"{len(rewritten)} stations")  # fmt: skip
        disputed = _disputed(store, election.id)
        if disputed:
            _say(out, f"   reconciliation: {len(disputed)} stations disputed, the official "
                      f"protocol differs from the observers' copy: {', '.join(disputed[:8])}"
                      + (" ..." if len(disputed) > 8 else ""))  # fmt: skip

        forensics = _forensics(store, election.id, out)
        sign_head(store, election.id, key)

        logins = [
            ("admin", "admin", ""),
            ("cec", "commission", ""),
            (
                "operator",
                "operator",
                f"district {by_id[rewritten[0] if rewritten else election.stations[0].id].district}",
            ),
            ("observer", "observer", f"accreditation {obs.id}"),
        ]
        auth.add_user(store, "admin", DEMO_PASSWORD, "admin")
        auth.add_user(store, "cec", DEMO_PASSWORD, "commission")
        auth.add_user(store, "operator", DEMO_PASSWORD, "operator",
                      district=logins[2][2].removeprefix("district "))  # fmt: skip
        auth.add_user(store, "observer", DEMO_PASSWORD, "observer", observer_id=obs.id)
    return DemoResult(
        db=db, election_id=election.id, stations=len(election.stations),
        vote_buying_districts=buying, rewritten=rewritten, incidents=incidents,
        disputed=disputed, logins=logins, forensics=forensics,
    )  # fmt: skip


def _disputed(store: Store, election_id: str) -> list[str]:
    """Stations whose sources disagree (from :mod:`shailoo.observe` reconciliation)."""
    from shailoo.observe.service import reconcile

    result = reconcile(store, election_id)
    return sorted(station for station, rec in result.items() if rec.disputed)


def _forensics(store: Store, election_id: str, out: Callable[[str], None] | None) -> str | None:
    """Run the forensic battery on the counted protocols; return its summary."""
    from shailoo.api import forensics_view

    _say(out, "5. Forensics on the station x party matrix ...")
    lines = forensics_view.summary_lines(store, election_id)
    if lines is None:
        _say(out, "   not available in this installation.")
        return None
    for line in lines:
        _say(out, f"   {line}")
    return "\n".join(lines)


def seats_report(db: str, election_id: str | None = None) -> str:
    """National result and seats with every step of the allocation explained."""
    from shailoo.law import format_allocation
    from shailoo.tally.service import load_tally, seats_for_tally

    with open_store(db) as store:
        tally = load_tally(store, election_id)
    u = tally.unit("nation")
    lines = [
        f"{tally.election.name}: {u.stations_reported:,} of {u.stations_total:,} stations, "
        f"{u.ballots_cast:,} ballots cast of {u.registered:,} registered "
        f"(turnout {float(u.turnout or 0) * 100:.2f} %), {u.invalid:,} invalid, "
        f"{u.against_all:,} against all",
        "",
    ]
    law, alloc, national, regions = seats_for_tally(tally)
    names = {p.id: p.name for p in tally.election.parties}
    lines.append(format_allocation(law, alloc, national, regions, names=names))
    return "\n".join(lines)


def annul_and_rerun(
    db: str, election_id: str, *, seed: int = 2021, out: Callable[[str], None] | None = print
) -> str:
    """Annul the whole election as the CEC did on 6 October 2020, create the re-run, import its
    (clean, simulated) protocols; return the re-run's id."""
    from shailoo.commission.decisions import LegalBasis, Vote, make_decision
    from shailoo.commission.rerun import create_rerun
    from shailoo.simulate import kyrgyz_2020

    key = load_or_create_key(default_key_path(db))
    with open_store(db) as store:
        _say(out, "7. The commission annuls the whole election ...")
        d = make_decision(
            store, election_id, action="annul", level="election", unit="",
            reason="Mass protests and reports of vote buying cast doubt on the expression of "
            "the voters' will (demo re-enactment of the CEC decision of 6 October 2020).",
            basis=LegalBasis("Constitutional Law on elections, art. 41 (demo)",
                             "The Central Commission declares the election invalid when "
                             "violations make it impossible to determine the voters' will."),
            vote=Vote(for_=10, against=0, abstained=1), date="2020-10-06", author="cec",
        )  # fmt: skip
        _say(out, f"   decision {d.decision_id}: annul election {election_id}")
        sign_head(store, election_id, key)
        rerun = create_rerun(store, election_id, name="Jogorku Kenesh re-run (simulated)",
                             date="2021-11-28", author="cec")  # fmt: skip
        _say(out, f"8. Re-run {rerun.id} created; it replaces {election_id} and records the "
                  "old ledger's final hash")  # fmt: skip
        sim = kyrgyz_2020(seed=seed)
        from dataclasses import replace

        protocols = [replace(p) for p in sim.protocols]
        _say(out, "9. Importing the re-run's protocols (a clean vote) ...")
        _record(store, rerun.id, protocols, "import")
        sign_head(store, rerun.id, key)
    return rerun.id
