"""Six fetches of one 127.0.0.1 URL at once, and how many the server saw in flight at most."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T = TypeVar("T")


def six_at_once(fetch: Callable[[str], T], body: bytes) -> tuple[list[T], int]:
    """`fetch(url)` from six threads against a server that holds each request 0.1 s: the
    results and the peak number of requests in flight."""
    in_flight: list[int] = []
    peak: list[int] = []
    guard = threading.Lock()

    def counted(_request: Request) -> Response:
        with guard:
            in_flight.append(1)
            peak.append(len(in_flight))
        time.sleep(0.1)
        with guard:
            in_flight.pop()
        return Response(body)

    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        server.expect_request("/feed").respond_with_handler(counted)
        url = server.url_for("/feed")
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda _: fetch(url), range(6)))
    return results, max(peak)
