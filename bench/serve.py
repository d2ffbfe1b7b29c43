"""Results-night reads: the national results JSON against a static file, same server, same run.

Builds the demo-sized election (2,460 stations, 16 parties), starts ``shailoo serve``'s
application under uvicorn in a subprocess, and drives it with 64 concurrent keep-alive clients on
loopback: first ``/index.json`` (the national results, served from the cache keyed by the ledger
head), then a static file holding the very same bytes served by Starlette's ``StaticFiles`` from
the same process. Prints requests per second and p50/p99 latency of each and the ratio
(target: national JSON at least 0.5 of the static file's rate).

    .venv/bin/python bench/serve.py [--clients 64] [--seconds 10]

Client and server share the machine (2 cores here), so absolute figures are a floor; the ratio
is what the target is about.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_server(db: str, port: int, static: str) -> None:
    """Subprocess mode: the site plus a plain static directory at ``/bench-static``."""
    import uvicorn
    from fastapi.staticfiles import StaticFiles

    from shailoo.api.app import create_app

    app = create_app(db)
    app.mount("/bench-static", StaticFiles(directory=static), name="bench-static")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


async def client(port: int, path: str, stop: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n".encode()
    try:
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head[:60])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
    finally:
        writer.close()


async def measure(port: int, path: str, clients: int, seconds: float) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency (ms) of ``path`` under ``clients`` clients."""
    # Warm up: fill the page cache and the connections.
    warm: list[float] = []
    await asyncio.gather(*(client(port, path, time.perf_counter() + 1.0, warm) for _ in range(8)))
    latencies: list[float] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(*(client(port, path, stop, latencies) for _ in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--server", nargs=3, metavar=("DB", "PORT", "STATIC"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.server:
        run_server(args.server[0], int(args.server[1]), args.server[2])
        return 0

    from shailoo.api.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        print("building the demo-sized election (2,460 stations, 16 parties) ...", flush=True)
        build_demo(db, out=None)
        static = Path(tmp) / "static"
        static.mkdir()
        port = free_port()
        env = dict(os.environ)
        proc = subprocess.Popen(
            [sys.executable, __file__, "--server", db, str(port), str(static)], env=env
        )
        try:
            import urllib.request

            deadline = time.time() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.json") as r:
                        body = r.read()
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.2)
            (static / "national.json").write_bytes(body)
            print(f"national JSON: {len(body):,} bytes; {args.clients} clients, "
                  f"{args.seconds:g} s each", flush=True)  # fmt: skip
            national = asyncio.run(measure(port, "/index.json", args.clients, args.seconds))
            static_file = asyncio.run(
                measure(port, "/bench-static/national.json", args.clients, args.seconds)
            )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"{'':24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, (rps, p50, p99) in (("national /index.json", national),
                                  ("static file, same bytes", static_file)):  # fmt: skip
        print(f"{name:24}{rps:>10,.0f}{p50:>10.1f}{p99:>10.1f}")
    ratio = national[0] / static_file[0]
    print(f"ratio national / static: {ratio:.2f} (target >= 0.5)")
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
