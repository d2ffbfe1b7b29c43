"""Every command's and every action's help ends with an example, and the examples work.

The examples tell one story against ``kg.db`` and the simulated Kyrgyz 2020 election that
``shailoo simulate --kyrgyz`` writes: this test runs them in that order in an empty folder, as a
new user copying them from ``--help`` would. Only ``serve`` (it never returns) and ``demo``
(a minute of work, tested in tests/web/test_demo.py) are parsed and not run.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import shutil
from pathlib import Path

import pytest

from shailoo.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]
NOT_RUN = {"serve", "demo"}


def _walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _walk(sub, (*path, name))
    return found


def _examples() -> dict[tuple[str, ...], list[str]]:
    """Each (nested) command with the example lines of its help."""
    out: dict[tuple[str, ...], list[str]] = {}
    for path, parser in _walk(build_parser()):
        if not path:
            continue
        epilog = parser.epilog or ""
        text = epilog.split("Example:", 1)[1] if "Example:" in epilog else ""
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        # ``verify`` shows two forms on one line, separated by a bar
        out[path] = [ex.strip() for line in lines[:1] for ex in line.split("   |   ")]
    return out


EXAMPLES = _examples()


@pytest.mark.parametrize("path", sorted(EXAMPLES), ids=" ".join)
def test_help_has_a_description_and_an_example_that_parses(path: tuple[str, ...]) -> None:
    parser = dict(_walk(build_parser()))[path]
    assert parser.description, f"shailoo {' '.join(path)} has no description"
    examples = EXAMPLES[path]
    assert examples, f"shailoo {' '.join(path)} --help has no example"
    for example in examples:
        argv = shlex.split(example)
        assert argv[0] == "shailoo" and tuple(argv[1 : 1 + len(path)]) == path, example
        build_parser().parse_args(argv[1:])  # argparse exits (a test failure) on a bad example


def _run(example: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    code = main(shlex.split(example)[1:])
    out, err = capsys.readouterr()
    assert code == 0, f"{example}\nexit {code}\n{err}"
    assert "Traceback" not in err
    return out


@pytest.mark.slow
def test_every_example_runs_in_story_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHAILOO_PASSWORD", "a long password")
    monkeypatch.delenv("SHAILOO_DB", raising=False)
    ex = {" ".join(path): examples for path, examples in EXAMPLES.items()}
    ran: set[str] = set()

    def run(name: str, index: int = 0) -> str:
        ran.add(name)
        return _run(ex[name][index], capsys)

    run("simulate")
    for name in ("parties.csv", "stations.csv", "protocols.csv"):
        shutil.copy(tmp_path / "out" / name, tmp_path / name)
    run("init")
    run("import")
    region = json.loads(run("results"))
    assert region["unit"]["id"] == "Chui" and region["unit"]["stations_reported"] > 0
    # the seats example reads a results file: the national row of the tally in that format
    nation = json.loads(_run("shailoo results --db kg.db --json", capsys))["unit"]
    with open("results.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["registered", "ballots_cast", "invalid", "against_all", *nation["votes"]])
        w.writerow(
            [nation[k] for k in ("registered", "ballots_cast", "invalid", "against_all")]
            + list(nation["votes"].values())
        )
    assert "Seats:" in run("seats")
    assert "margin" in run("margin")
    assert "station 1001" in run("history")

    # observers: accreditation, a copy of 1001's protocol, a lower bound, an incident
    Path("photo.jpg").write_bytes(b"\xff\xd8\xff not really a photo")
    with open("protocols.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    with open("copies.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *[r for r in rows if r[0] == "1001"]])
    Path("photographed.csv").write_text("station,birimdik\n1001,10\n")
    run("observer")
    run("observer accredit")
    assert "kloop-12" in run("observer list")
    run("observer copies")
    run("observer bounds")
    run("incident")
    assert "I-ab7ae26b9b" in run("incident list")
    assert "cash handed out" in run("incident show")
    assert "under-review" in run("incident update")
    ran.add("incident add")  # the same example as ``incident``
    run("reconcile")
    run("reconcile list")
    assert json.loads(run("reconcile show"))["station"] == "1001"
    run("reconcile resolve")
    assert json.loads(run("evidence"))["station"]["id"] == "1001"

    # the PVT: design, then an observer's copies of every sampled station, then the estimate
    run("pvt")
    ran.add("pvt design")  # the same example as ``pvt``
    sample = json.loads(run("pvt sample"))["sample"]
    scope = [a for s in sample for a in ("--station", s)]
    argv = ["observer", "accredit", "pvt-1", "--organisation", "Kloop", "--name", "PVT"]
    assert main([*argv, *scope, "--from", "2020-10-01", "--to", "2020-10-10", "--db", "kg.db"]) == 0
    with open("pvt.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *[r for r in rows if r[0] in set(sample)]])
    copies = ["observer", "copies", "pvt-1", "pvt.csv", "--date", "2020-10-05", "--db", "kg.db"]
    assert main(copies) == 0
    assert "birimdik" in run("pvt estimate").lower()

    run("export")
    run("verify", 0)
    run("verify", 1)
    run("export-results")
    assert json.loads(Path("results.json").read_text())["@type"] == "ElectionResults.ElectionReport"
    run("forensics")
    assert Path("risk.csv").exists() and Path("report.html").exists()
    run("publish")
    assert (tmp_path / "site" / "index.html").exists()
    run("user")

    # the commission: annul, revoke, certify, annul again, list, re-run
    run("decide")
    run("decide revoke")
    run("decide certify")
    run("decide annul")
    assert "revoked by D2" in run("decide list")
    out = run("rerun")
    assert "ordo" not in out.split("parties")[0] and "the whole election" in out

    # the Belarus example names the shared data beside the checkout, as docs/data.md says
    if (REPO.parent / "shared" / "data" / "belarus-2020" / "voice.csv.gz").exists():
        monkeypatch.chdir(REPO)
        assert "below" in run("reconcile belarus")
    else:
        ran.add("reconcile belarus")

    missing = set(ex) - ran - NOT_RUN
    assert not missing, f"examples never run: {sorted(missing)}"


@pytest.mark.parametrize("path", sorted(EXAMPLES), ids=" ".join)
def test_help_text_shows_no_format_escapes(path: tuple[str, ...]) -> None:
    # argparse %-formats option help but not descriptions: '%%' there is printed as is
    text = dict(_walk(build_parser()))[path].format_help()
    assert "%%" not in text and "%(" not in text, text
