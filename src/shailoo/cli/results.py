"""``shailoo results``: results of the nation or one unit from the full tally."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from shailoo.cli import add_command
from shailoo.cli.init import add_db_arguments


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo results``."""
    p = add_command(
        sub,
        "results",
        "Results by unit: turnout, invalid, against all, votes and shares, stations reported.",
        example="shailoo results --db kg.db --region Chui --json",
        description=(
            "Results from the counted protocols: the nation (with its regions), a region (with "
            "its districts), a district (with its stations) or one station. Annulled units are "
            "left out and marked, with the decisions that annulled them; --as-reported shows "
            "the figures as reported, annulled ones included. A partial re-run's protocols take "
            "the place of the annulled ones."
        ),
    )
    add_db_arguments(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--region", help="one region and its districts")
    where.add_argument("--district", help="one district and its stations")
    where.add_argument("--station", help="one station")
    p.add_argument("--as-reported", action="store_true", help="include annulled figures")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def _level(args: argparse.Namespace) -> tuple[str, str]:
    if args.region:
        return "region", args.region
    if args.district:
        return "district", args.district
    if args.station:
        return "station", args.station
    return "nation", ""


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:6.2f} %"


def run(args: argparse.Namespace) -> int:
    """Print the results of the unit asked for."""
    from shailoo.cli.rerun import scope_text
    from shailoo.ledger import open_store
    from shailoo.tally.service import load_tally, results_json

    with open_store(args.db, must_exist=True) as store:
        tally = load_tally(store, args.election, progress=sys.stderr.isatty())
    level, uid = _level(args)
    data = results_json(tally, level, uid)
    if args.as_reported:
        data["unit"] = tally.unit(level, uid, as_reported=True).to_json()
    u = data["unit"]
    if args.json:
        # the flat keys of the first (national-only) version of this command stay for scripts
        flat: dict[str, Any] = {
            "election_id": tally.election.id,
            "stations": u["stations_total"],
            **{
                k: u[k]
                for k in (
                    "stations_reported",
                    "registered",
                    "ballots_cast",
                    "invalid",
                    "against_all",
                    "votes",
                )
            },
            "turnout_percent": u["turnout_pct"],
            "party_names": {p["id"]: p["name"] for p in data["parties"]},
        }
        print(json.dumps({**flat, **data}, ensure_ascii=False, indent=2))
        return 0
    names = {p["id"]: p["name"] for p in data["parties"]}
    title = tally.election.id if level == "nation" else f"{tally.election.id} / {level} {uid}"
    print(f"{title}: {tally.election.name}")
    if tally.election.replaces:
        r = tally.election.replaces
        print(
            f"  re-run replacing {r.get('election_id')} (old ledger's final hash {r.get('final_hash')})"
        )
    for link in tally.replaced_by:
        print(f"  replaced by {link['by']} ({scope_text(link['scope'])})")
    if u["annulled"]:
        for did in u["annulled_by"]:
            d = tally.decisions[did]
            print(
                f"  ANNULLED by {did} of {d.date}: {d.reason} "
                f"[{d.legal_basis.get('article', '')}] — figures below leave it out"
            )
    if u["certified_by"]:
        print(f"  certified by {', '.join(u['certified_by'])}")
    print(
        f"  stations reported {u['stations_reported']} of {u['stations_total']}"
        f" (missing {u['stations_missing']}, annulled {u['stations_annulled']}"
        + (f", re-run {u['stations_rerun']}" if u["stations_rerun"] else "")
        + ")"
        + ("  [as reported]" if u["as_reported"] else "")
    )
    print(f"  registered voters {u['registered']:>12,}   (all stations {u['registered_total']:,})")
    print(f"  ballots cast      {u['ballots_cast']:>12,}   turnout {_pct(u['turnout_pct'])}")
    print(f"  invalid           {u['invalid']:>12,}")
    print(f"  against all       {u['against_all']:>12,}")
    for pid, n in sorted(u["votes"].items(), key=lambda kv: -kv[1]):
        print(f"  {names.get(pid, pid)[:30]:<30} {n:>12,} {_pct(u['shares_pct'][pid])}")
    subs = data.get("subunits") or []
    if subs and level != "district":
        print(f"  {'unit':<24} {'reported':>9} {'turnout':>9}  leading")
        for s in subs:
            lead = "—"
            if any(s["votes"].values()):
                # A reader wants the party's name and its share, not the list's short id.
                top = max(s["votes"], key=lambda p: s["votes"][p])
                lead = f"{names.get(top, top)[:30]} {_pct(s['shares_pct'][top]).strip()}"
            mark = "  ANNULLED" if s["annulled"] else ""
            print(
                f"  {s['id'][:24]:<24} {s['stations_reported']:>4}/{s['stations_total']:<4} "
                f"{_pct(s['turnout_pct'])}  {lead}{mark}"
            )
    return 0
