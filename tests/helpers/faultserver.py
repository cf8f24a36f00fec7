"""A bare HTTP server on 127.0.0.1 for the fault suite's network faults (tests/faults/)."""

from __future__ import annotations

import fcntl
import socket
import struct
import termios
import threading
from collections import Counter
from collections.abc import Callable


class FaultServer:
    """A bare HTTP server on 127.0.0.1 for faults an HTTP library will not produce.

    A behaviour per path, which a test may switch (fault, then fixed); `release` ends every
    handler still waiting at teardown.
    """

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.behaviour: dict[str, Callable[[socket.socket], None]] = {}
        self.hits: Counter[str] = Counter()
        self.release = threading.Event()
        self.hung_up = threading.Event()  # the client closed while the server was streaming
        self.body_bytes_delivered = 0  # of the reset response, acknowledged by the client
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def feed(self, path: str, body: bytes) -> None:
        self.behaviour[path] = lambda conn: conn.sendall(_head(len(body)) + body)

    def hang(self, path: str) -> None:
        """Accept, read the request, never answer."""
        self.behaviour[path] = lambda _conn: self.release.wait()

    def reset_mid_body(self, path: str, body: bytes, sent: int) -> None:
        """Headers and the first `sent` body bytes, delivered; then a TCP reset."""

        def reset(conn: socket.socket) -> None:
            conn.sendall(_head(len(body)) + body[:sent])
            while _unacknowledged(conn) and not self.release.wait(0.001):
                pass
            self.body_bytes_delivered = sent
            _reset(conn)

        self.behaviour[path] = reset

    def reset_before_response(self, path: str) -> None:
        """The request read, then a TCP reset: no status line at all."""
        self.behaviour[path] = _reset

    def truncated(self, path: str, body: bytes, missing: int) -> None:
        """A Content-Length `missing` bytes over the body sent, then the connection closed."""
        self.behaviour[path] = lambda conn: conn.sendall(_head(len(body) + missing) + body)

    def endless(self, path: str, *, pause: float = 0.0) -> None:
        """A chunked body that never ends: 16 KiB chunks as fast as possible, or one byte each
        `pause` seconds (a trickle no read timeout catches); stops when the client hangs up."""
        chunk = b"<!-- endless -->" * 1024 if not pause else b" "

        def stream(conn: socket.socket) -> None:
            conn.sendall(_head(None) + _chunk(b"<rss><channel>"))
            try:
                while not self.release.is_set():
                    conn.sendall(_chunk(chunk))
                    if pause:
                        self.release.wait(pause)
            except OSError:
                self.hung_up.set()

        self.behaviour[path] = stream

    def close(self) -> None:
        self.release.set()
        self.sock.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ")[1].decode()
            self.hits[path] += 1
            self.behaviour[path](conn)


def _head(length: int | None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n{framing}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _unacknowledged(conn: socket.socket) -> int:
    """Bytes sent but not yet acknowledged by the peer (Linux SIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(conn.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]


def _reset(conn: socket.socket) -> None:
    """linger 0: close() sends RST instead of FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
