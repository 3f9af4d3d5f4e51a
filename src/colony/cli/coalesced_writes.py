"""HTTP/1.1 as `colony serve` speaks it: uvicorn's httptools protocol, a response's writes
sent in one system call (docs/adr/0094).

uvicorn writes a response's head (status and headers) and its body with a call each, and
uvloop sends each at once: two `send` calls a response, and on loopback each one also
delivers the segment to the reader and wakes it, in the server's own time. A payment's
answer is a head and a body written in the same turn of the event loop, so the transport
here keeps what a turn writes and sends it as one buffer when the turn ends (a callback
queued on the loop at the first write). The bytes and their order are the same; a close
sends what was kept first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _WritesOfATurn:
    """A transport's writes kept until the event loop's turn ends, then sent as one."""

    __slots__ = ("_kept", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._kept: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        kept = self._kept
        if kept is None:
            self._kept = [data]
            self._loop.call_soon(self._send)
        else:
            kept.append(data)

    def _send(self) -> None:
        kept, self._kept = self._kept, None
        if kept and not self._transport.is_closing():
            self._transport.write(kept[0] if len(kept) == 1 else b"".join(kept))

    def close(self) -> None:
        self._send()  # what was written goes out before the connection closes
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        # Everything else (reading paused and resumed, the socket's addresses) as it is.
        return getattr(self._transport, name)


class CoalescedWritesProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (`uvicorn.Config(http=...)`), its writes made once a turn."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalesced: Any = _WritesOfATurn(transport, self.loop)
        super().connection_made(coalesced)
