"""A merchant's webhook receiver on loopback: a real HTTP server that records what it gets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    bodies: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    # Answers to give, in order; once used up, every request gets 200.
    script: list[int] = field(default_factory=list)
    url: str = ""
    answer: bytes = b"ok"  # the body of every answer


@contextmanager
def receiver(script: list[int] | None = None, answer: bytes = b"ok") -> Iterator[Received]:
    got = Received(script=list(script or []), answer=answer)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            got.bodies.append(self.rfile.read(length))
            got.headers.append(dict(self.headers.items()))
            status = got.script.pop(0) if got.script else 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(got.answer)))
            self.end_headers()
            self.wfile.write(got.answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
