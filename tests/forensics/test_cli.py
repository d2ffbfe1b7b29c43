"""``shailoo forensics`` end to end: files, JSON, scores, figures, report, errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from shailoo.simulate import kyrgyz_2020


def shailoo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shailoo", *args], capture_output=True, text=True, timeout=600
    )


def test_forensics_on_a_protocol_file(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=7, stuffing=0.05)
    path = tmp_path / "protocols.csv"
    sim.write_csv(path)
    proc = shailoo(
        "forensics", str(path), "--json", "--replicates", "100", "--quiet",
        "--scores", str(tmp_path / "risk.csv"), "--report", str(tmp_path / "r.html"),
        "--figures", str(tmp_path / "figs"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["leader"] == "birimdik" and payload["stations"] == 2460
    with open(tmp_path / "risk.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2460 and {"station", "risk", "turnout_outlier"} <= set(rows[0])
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Whole-percent" in html and "data:image/png;base64" in html
    for name in ("fingerprint", "turnout_histogram", "whole_percent", "digits"):
        assert (tmp_path / "figs" / f"{name}.png").exists()
        assert (tmp_path / "figs" / f"{name}.svg").exists()


def test_readable_summary_and_leader(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=8)
    path = tmp_path / "p.csv"
    sim.write_csv(path)
    proc = shailoo("forensics", str(path), "--leader", "ata-meken", "--replicates", "50", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "party under test: ata-meken" in proc.stdout
    assert "Election-level alarm" in proc.stdout


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("station,registered,ballots_issued,ballots_cast,A\ns1,100,50,50,-1\n")
    proc = shailoo("forensics", str(path), "--quiet")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.csv:2" in proc.stderr and "'A'" in proc.stderr
    proc = shailoo("forensics", "--quiet")
    assert proc.returncode == 2 and "RESULTS or --db" in proc.stderr
    good = tmp_path / "good.csv"
    kyrgyz_2020(seed=1).write_csv(good)
    proc = shailoo("forensics", str(good), "--leader", "nobody", "--quiet")
    assert proc.returncode == 2 and "unknown party" in proc.stderr


def test_forensics_reads_the_tally_of_a_ledger(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    assert (
        shailoo("simulate", str(out), "--kyrgyz", "--seed", "9", "--stuffing", "0.05").returncode
        == 0
    )
    db = str(tmp_path / "kg.db")
    init = shailoo(
        "init", "--db", db, "--law", "kg-2020",
        "--parties", str(out / "parties.csv"), "--stations", str(out / "stations.csv"),
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    imp = shailoo("import", "--db", db, str(out / "protocols.csv"), "--quiet")
    assert imp.returncode in (0, 1), imp.stderr
    proc = shailoo("forensics", "--db", db, "--json", "--replicates", "100", "--quiet")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["stations"] == 2460 and payload["leader"] == "birimdik"
    # the districts came from the ledger: the within-district signals are live
    top = sorted(payload["risk"], key=lambda r: -r["risk"])[:20]
    with open(out / "truth.csv", encoding="utf-8") as fh:
        truth = {r["station"]: r["stuffing"] for r in csv.DictReader(fh)}
    assert sum(truth[r["station"]] == "1" for r in top) >= 15


def test_alarm_rule_alpha_and_unknown_leader(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=9)
    path = tmp_path / "p.csv"
    sim.write_csv(path)
    proc = shailoo("forensics", str(path), "--alpha", "0.05", "--replicates", "50", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "family-wise error rate of 0.05" in proc.stdout
    assert "whole_percent, second_digit, last_digit, share_spikes" in proc.stdout
    proc = shailoo("forensics", str(path), "--json", "--replicates", "50", "--quiet")
    payload = json.loads(proc.stdout)
    assert payload["alpha"] == 0.01 and "turnout_slope" not in payload["alarm_tests"]
    proc = shailoo("forensics", str(path), "--leader", "nobody", "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "birimdik" in proc.stderr and "--leader" in proc.stderr
    proc = shailoo("forensics", str(path), "--alpha", "1.5", "--quiet")
    assert proc.returncode == 2 and "--alpha" in proc.stderr
