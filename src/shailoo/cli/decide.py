"""``shailoo decide``: the commission certifies or annuls a unit, or revokes a decision."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from shailoo.cli import add_command

EXAMPLE = (
    "shailoo decide annul --db kg.db --level election --reason 'mass protests; vote buying' "
    "--article 'art. 42' --basis-text 'The CEC may annul...' --for 9 --against 2 --date 2020-10-06"
)

EXAMPLES = {
    "annul": EXAMPLE,
    "certify": "shailoo decide certify --db kg.db --level region --unit Chui --reason 'count complete' "
    "--article 'art. 45' --basis-text 'The CEC certifies...' --for 11 --date 2020-10-10",
    "revoke": "shailoo decide revoke --db kg.db D1 --reason 'court ruling 12/2020' --article 'art. 47' "
    "--basis-text 'A decision may be revoked...' --for 8 --against 3 --date 2020-10-20",
    "list": "shailoo decide list --db kg.db",
}


def _common(p: argparse.ArgumentParser) -> None:
    from shailoo.cli.init import add_db_arguments

    add_db_arguments(p)
    p.add_argument("--reason", required=True, help="why the commission decided so")
    p.add_argument("--article", required=True, help="the article of law it rests on")
    p.add_argument("--basis-text", required=True, help="the text of that article (or its gist)")
    p.add_argument("--for", dest="vote_for", type=int, required=True, help="members voting for")
    p.add_argument("--against", type=int, default=0, help="members voting against")
    p.add_argument("--abstained", type=int, default=0, help="members abstaining")
    p.add_argument("--date", default=dt.date.today().isoformat(), help="date (YYYY-MM-DD)")
    p.add_argument("--author", help="who records it (default: your login name)")
    p.add_argument("--json", action="store_true", help="print the decision as JSON")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``shailoo decide certify|annul|revoke|list``."""
    p = add_command(
        sub,
        "decide",
        "Record a commission decision: certify or annul a unit, revoke a decision, list them.",
        example=EXAMPLE,
        description=(
            "Record a commission decision in the ledger. Annulled units drop out of results and "
            "seats (an annulled election has no seats); nothing is erased. Every decision "
            "carries its reason, legal basis (article and text), the vote and the date."
        ),
    )
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (
        ("certify", "certify the results of a unit"),
        ("annul", "annul a station, district, region or the whole election"),
    ):
        a = acts.add_parser(
            action,
            help=text,
            description=text,
            epilog=f"Example:\n  {EXAMPLES[action]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        a.add_argument(
            "--level",
            required=True,
            choices=("station", "district", "region", "election"),
            help="unit level",
        )
        a.add_argument("--unit", default="", help="unit id (not needed for the election)")
        _common(a)
        a.set_defaults(handler=run)
    r = acts.add_parser(
        "revoke",
        help="revoke an earlier decision",
        description="Revoke an earlier, standing decision (the revocation is a decision too).",
        epilog=f"Example:\n  {EXAMPLES['revoke']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("decision", help="id of the decision to revoke (e.g. D3)")
    _common(r)
    r.set_defaults(handler=run)
    lst = acts.add_parser(
        "list",
        help="list every decision, standing or revoked",
        description="List every decision of the election, standing or revoked, in ledger order.",
        epilog=f"Example:\n  {EXAMPLES['list']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from shailoo.cli.init import add_db_arguments

    add_db_arguments(lst)
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=run_list)


def _describe(d: dict[str, object]) -> str:
    unit = d["unit"]
    assert isinstance(unit, dict)
    # The tally names the whole election's level "nation"; the commission says "election".
    whole = unit["level"] in ("election", "nation")
    where = "the whole election" if whole else f"{unit['level']} {unit['id']}"
    vote = d["vote"]
    assert isinstance(vote, dict)
    basis = d["legal_basis"]
    assert isinstance(basis, dict)
    state = "" if d["standing"] else f"  [revoked by {d['revoked_by']}]"
    what = f"revokes {d['revokes']}" if d["action"] == "revoke" else f"{d['action']} {where}"
    return (
        f"{d['decision_id']:<5} {d['date']}  {what}{state}\n"
        f"      reason: {d['reason']}\n"
        f"      basis: {basis.get('article', '')} — {basis.get('text', '')}\n"
        f"      vote: {vote.get('for')} for, {vote.get('against')} against, "
        f"{vote.get('abstained')} abstained; recorded by {d['author']} (ledger event {d['seq']})"
    )


def run(args: argparse.Namespace) -> int:
    """Validate and record the decision; print it."""
    from shailoo.cli.init import default_author
    from shailoo.commission import LegalBasis, Vote, make_decision, revoke_decision
    from shailoo.ledger import open_store
    from shailoo.tally.service import default_election

    basis = LegalBasis(args.article, args.basis_text)
    vote = Vote(args.vote_for, args.against, args.abstained)
    author = args.author or default_author()
    with open_store(args.db, must_exist=True) as store:
        eid = args.election or default_election(store)
        if args.action == "revoke":
            d = revoke_decision(
                store,
                eid,
                revokes=args.decision,
                reason=args.reason,
                basis=basis,
                vote=vote,
                date=args.date,
                author=author,
            )
        else:
            d = make_decision(
                store,
                eid,
                action=args.action,
                level=args.level,
                unit=args.unit,
                reason=args.reason,
                basis=basis,
                vote=vote,
                date=args.date,
                author=author,
            )
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"{eid}: recorded")
        print(_describe(d.to_json()))
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print every decision of the election, in ledger order."""
    from shailoo.ledger import open_store
    from shailoo.tally.service import load_tally

    with open_store(args.db, must_exist=True) as store:
        t = load_tally(store, args.election)
    ds = [d.to_json() for d in t.decisions.values()]
    if args.json:
        print(json.dumps(ds, ensure_ascii=False, indent=2))
        return 0
    if not ds:
        print(f"{t.election.id}: no decisions")
    for d in ds:
        print(_describe(d))
    return 0
