"""`colony serve`'s HTTP protocol sends what an event loop's turn wrote as one buffer
(docs/adr/0094): a response's head and body in one `send`, the same bytes in the same order,
and a close sends what was kept first. Checked on a transport that records its writes, then
end to end through uvicorn on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from colony.cli.coalesced_writes import CoalescedWritesProtocol, _WritesOfATurn


class _Recorded(asyncio.Transport):
    """The transport's side the wrapper uses, each write and the close recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name == "sockname" else default


def test_a_turns_writes_go_out_as_one() -> None:
    async def scenario() -> _Recorded:
        recorded = _Recorded()
        turn = _WritesOfATurn(recorded, asyncio.get_running_loop())
        turn.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        turn.write(b"ok")
        assert recorded.writes == []  # kept until the turn ends
        await asyncio.sleep(0)
        assert recorded.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]
        turn.write(b"second")  # a later turn: sent alone, as it is
        await asyncio.sleep(0)
        assert recorded.writes[1:] == [b"second"]
        # Anything else is the transport's own.
        assert turn.get_extra_info("sockname") == ("127.0.0.1", 8000)
        return recorded

    assert len(asyncio.run(scenario()).writes) == 2


def test_a_close_sends_what_was_kept_first_and_nothing_after() -> None:
    async def scenario() -> _Recorded:
        recorded = _Recorded()
        turn = _WritesOfATurn(recorded, asyncio.get_running_loop())
        turn.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        turn.close()
        assert recorded.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"] and recorded.closed
        turn.write(b"late")  # kept, then dropped: the connection is closing
        await asyncio.sleep(0)
        return recorded

    assert asyncio.run(scenario()).writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"]


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = scope["path"].encode() * 1000
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def served() -> Iterator[int]:
    config = uvicorn.Config(
        _hello, host="127.0.0.1", port=0, log_level="warning", http=CoalescedWritesProtocol
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


class _Reader:
    """HTTP/1.1 responses off one connection, bytes read past one kept for the next."""

    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._data = b""

    def response(self) -> tuple[bytes, bytes]:
        while b"\r\n\r\n" not in self._data:
            self._data += self._conn.recv(65536)
        head, _, rest = self._data.partition(b"\r\n\r\n")
        length = next(
            int(h.split(b":")[1])
            for h in head.split(b"\r\n")
            if h.lower().startswith(b"content-length")
        )
        while len(rest) < length:
            rest += self._conn.recv(65536)
        self._data = rest[length:]
        return head, rest[:length]


def test_responses_over_one_connection_are_whole_and_in_order(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        reader = _Reader(conn)
        for path in ("/a", "/bb", "/a"):
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head, body = reader.response()
            assert head.startswith(b"HTTP/1.1 200 OK")
            assert body == path.encode() * 1000
        # Two requests sent at once (pipelined): two answers, in order.
        conn.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\nGET /yy HTTP/1.1\r\nHost: x\r\n\r\n")
        assert reader.response()[1] == b"/x" * 1000
        assert reader.response()[1] == b"/yy" * 1000
        # Connection: close is answered, then closed.
        conn.sendall(b"GET /z HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert reader.response()[1] == b"/z" * 1000
        assert conn.recv(1) == b""
