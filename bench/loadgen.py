"""The load generator both servers get: wrk (Debian's package) when installed, else a small
threaded Python client. Loopback only, bounded in time."""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

WRK = shutil.which("wrk")


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers and socket errors
    requests: int


def measure(
    url: str,
    *,
    clients: int,
    seconds: float,
    method: str = "GET",
    body: str | None = None,
    content_type: str | None = None,
) -> Load:
    """Hammer one URL with ``clients`` concurrent connections for ``seconds``."""
    assert urlsplit(url).hostname in ("127.0.0.1", "localhost"), "loopback only"
    if WRK:
        return _wrk(url, clients, seconds, method, body, content_type)
    return _python(url, clients, seconds, method, body, content_type)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def _wrk(url, clients, seconds, method, body, content_type) -> Load:
    script = None
    # A generous timeout: a slow server's answers count as slow, not as lost.
    command = [
        WRK,
        f"-t{min(clients, 2)}",
        f"-c{clients}",
        f"-d{int(seconds)}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    if method != "GET" or body is not None:
        lua = f"wrk.method = {method!r}\n"
        if body is not None:
            lua += f"wrk.body = [==[{body}]==]\n"
        if content_type:
            lua += f'wrk.headers["Content-Type"] = {content_type!r}\n'
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(lua)
        script.close()
        command += ["-s", script.name]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return Load(rps, p50, p99, errors, total)


def _python(url, clients, seconds, method, body, content_type) -> Load:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": content_type} if content_type else {}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except OSError:
                failed += 1
                connection.close()
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    return _run(threads, latencies, errors)


def _run(threads: list[threading.Thread], latencies: list[float], errors: list[int]) -> Load:
    """Run the clients to the end, and what they saw: rate, median and 99th percentile."""
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    if not latencies:
        return Load(0.0, 0.0, 0.0, errors[0], 0)
    return Load(
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        errors[0],
        len(latencies),
    )


def measure_walk(base: str, walk: list[tuple[str, dict]], *, clients: int, seconds: float) -> Load:
    """GETs of many paths, each with its own headers (a site's Origin): every client asks for
    the next of ``walk`` in turn, starting at its own place. The Python client only: wrk asks
    for one URL."""
    parts = urlsplit(base)
    assert parts.hostname in ("127.0.0.1", "localhost"), "loopback only"
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(place: int):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < stop:
            path, headers = walk[place % len(walk)]
            place += 1
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except OSError:
                failed += 1
                connection.close()
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    step = max(1, len(walk) // clients)
    threads = [threading.Thread(target=client, args=(n * step,)) for n in range(clients)]
    return _run(threads, latencies, errors)
