"""Belarus 2020: photographed ballots as a lower-bound observer source against official counts."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from shailoo.domain.errors import InputError
from shailoo.io.belarus import find_shortfalls, read_voice

DATA = Path(os.environ.get("SHAILOO_DATA", Path(__file__).parents[3] / "shared" / "data"))
VOICE = DATA / "belarus-2020" / "voice.csv.gz"


def _need_data() -> None:
    if not VOICE.exists():
        if os.environ.get("SHAILOO_REQUIRE_DATA") == "1":
            pytest.fail(f"missing {VOICE}")
        pytest.skip(f"no real data at {VOICE}")


HEADER = (
    "id,registered,photoVoices,officialVotes,officialVoters,"
    "lukashenko_registered,lukashenko_officialVotes,lukashenko_photoVoices,"
    "tihanovkaja_registered,tihanovkaja_officialVotes,tihanovkaja_photoVoices,"
    "against_registered,against_officialVotes,against_photoVoices\n"
)


def test_small_file_flags_exactly_the_stations_below_the_photographs(tmp_path: Path) -> None:
    f = tmp_path / "voice.csv.gz"
    with gzip.open(f, "wt") as fh:
        fh.write(HEADER)
        fh.write("01-001-0001,10,10,500,520,0,300,0,10,200,10,0,0,0\n")  # 200 >= 10: consistent
        fh.write("01-001-0002,10,10,500,520,0,450,0,10,50,60,0,0,0\n")  # 50 < 60: flagged
        fh.write("01-001-0003,10,10,,,0,,0,10,,99,0,,0\n")  # no official figures: cannot flag
        fh.write("02-004-0001,10,10,500,520,0,300,0,10,200,10,0,-5,1\n")  # negative set aside
    stations = list(read_voice(f))
    assert [s.id for s in stations] == ["01-001-0001", "01-001-0002", "01-001-0003", "02-004-0001"]
    assert stations[3].region == "02" and stations[3].district == "02-004"
    assert "against_all" not in stations[3].official
    assert stations[3].problems[0].rule == "negative" and stations[3].problems[0].line == 5
    flagged = find_shortfalls(stations)
    assert list(flagged) == ["01-001-0002"]
    [s] = flagged["01-001-0002"]
    assert (s.line, s.official, s.minimum, s.missing) == ("tihanovkaja", 50, 60, 10)


def test_unreadable_value_names_file_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "voice.csv"
    f.write_text(HEADER + "01-001-0001,10,10,500,520,0,3x0,0,10,200,10,0,0,0\n")
    with pytest.raises(InputError) as err:
        list(read_voice(f))
    assert err.value.line == 2 and err.value.column == "lukashenko_officialVotes"


def test_real_voice_data_flags_the_published_441_stations() -> None:
    """Research: at 441 of the 1,395 stations with official figures Tsikhanouskaya's official
    count is below her photographed ballots. Every flagged station has a line below its floor."""
    _need_data()
    stations = list(read_voice(VOICE))
    assert len(stations) == 5709
    with_official = [s for s in stations if s.has_official]
    assert len(with_official) == 1395
    flagged = find_shortfalls(stations)
    tsikhanouskaya = {
        sid for sid, items in flagged.items() if any(x.line == "tihanovkaja" for x in items)
    }
    assert len(tsikhanouskaya) == 441
    # exactly the stations where some official count is below the photographed one
    by_id = {s.id: s for s in with_official}
    expected = {
        s.id
        for s in with_official
        if any(s.official[k] < v for k, v in s.photographed.items() if k in s.official)
    }
    assert set(flagged) == expected
    assert len(flagged) == 442  # one more station, for other lines (against all, Dmitriyeu)
    assert sum(x.missing for x in flagged.get(next(iter(tsikhanouskaya)), [])) > 0
    assert all(by_id[sid].has_official for sid in flagged)
    # three negative official "against" figures in the file are set aside, not compared
    assert sum(len(s.problems) for s in stations) == 3


def test_cli_reports_the_flagged_stations(capsys: pytest.CaptureFixture[str]) -> None:
    _need_data()
    from shailoo.cli import main

    assert main(["reconcile", "belarus", str(VOICE)]) == 0
    out = capsys.readouterr().out
    assert "1,395 with official figures; 442 have an official count below" in out
    assert "Sviatlana Tsikhanouskaya: 441 stations, at least 50,138 votes missing" in out
    assert main(["reconcile", "belarus", str(VOICE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["flagged_by_line"]["tihanovkaja"] == 441 and len(data["shortfalls"]) == 442
    assert len(data["set_aside"]) == 3 and data["set_aside"][0]["rule"] == "negative"
