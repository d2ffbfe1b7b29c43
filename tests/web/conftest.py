"""A live server over a real database, and headless Chromium driven by Playwright.

When ``SHAILOO_REQUIRE_BROWSER=1`` (CI) a missing Chromium is a failure, otherwise a skip.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from shailoo_builders import PASSWORD, build_db  # noqa: E402  (shared with the API tests)

from shailoo.api.app import create_app  # noqa: E402
from shailoo.simulate import kyrgyz_2020  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``shailoo serve``'s application under uvicorn in a thread, on a free loopback port."""

    def __init__(self, db: str) -> None:
        self.port = free_port()
        config = uvicorn.Config(create_app(db), host="127.0.0.1", port=self.port, log_level="error")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server over a 316-station simulated election with 50 protocols counted."""
    sim = kyrgyz_2020(seed=3, n_stations=60)
    db = tmp_path_factory.mktemp("web") / "e.db"
    info = build_db(db, sim)
    with LiveServer(str(db)) as server:
        yield {**info, "url": server.url, "sim": sim, "password": PASSWORD, "db": db}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (never downloaded: the system's /usr/bin/chromium)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("SHAILOO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and SHAILOO_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
