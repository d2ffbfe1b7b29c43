"""``shailoo publish``: a static copy of the site whose every link resolves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient
from shailoo_builders import build_db

from shailoo.api.app import create_app
from shailoo.cli import main
from shailoo.simulate import kyrgyz_2020


def test_publish_writes_pages_twins_and_downloads(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=5, n_stations=60)
    db = tmp_path / "e.db"
    info = build_db(db, sim)
    site = tmp_path / "site"
    assert main(["publish", "--db", str(db), str(site)]) == 0
    live = TestClient(create_app(str(db))).get("/index.json").json()
    assert json.loads((site / "index.json").read_text()) == live
    stations = info["election"].stations
    for s in stations:
        assert (site / "station" / f"{s.id}.html").is_file()
        assert (site / "station" / f"{s.id}.json").is_file()
    for name in ("results.csv", "ledger.jsonl", "nist.json", "public-key.txt", "results.json"):
        assert (site / "download" / name).stat().st_size > 0
    csv_lines = (site / "download" / "results.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + 50  # header and the 50 counted protocols
    # Every link of a sample of pages points at a file that exists.
    pages = [site / "index.html", site / "downloads.html", site / "region" / f"{stations[0].region}.html",
             site / "district" / f"{stations[0].district}.html", site / "station" / f"{stations[0].id}.html"]  # fmt: skip
    for page in pages:
        html = page.read_text()
        links = re.findall(r'(?:href|src)="([^"#?]+)"', html)
        assert links
        for link in links:
            target = (page.parent / unquote(link)).resolve()
            assert target.is_file(), (page.name, link)
        assert "/staff" not in html  # no staff links in the public copy
