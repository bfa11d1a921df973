"""A closed-loop HTTP load client: N threads, each with its own keep-alive connection, each
sending its next request as soon as the last one is answered, for a fixed duration.

Threads and http.client rather than locust: no dependency, a few microseconds of client work
per request against milliseconds of server work, and latency is measured around one request.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile of the values (share between 0 and 1)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _one_client(
    host: str, port: int, target: Target, deadline: float, latencies: list[float], errors: list[str]
) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            connection.request(target.method, target.path, body=target.body, headers=target.headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            errors.append(type(error).__name__)
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=60)
            continue
        elapsed = time.perf_counter() - started
        if status == 200:
            latencies.append(elapsed)
        else:
            errors.append(str(status))
    connection.close()


def run_load(
    *, host: str, port: int, target: Target, clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []  # list.append is atomic under the GIL
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=_one_client, args=(host, port, target, deadline, latencies, errors), daemon=True
        )
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else None,
        **{
            f"p{int(share * 100)}_ms": _ms(percentile(latencies, share))
            for share in (0.5, 0.95, 0.99)
        },
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def wait_until_up(host: str, port: int, path: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the server on port {port} did not answer {path} in {timeout:.0f} s")
