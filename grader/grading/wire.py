"""Framing between the grader and a worker: length-prefixed frames over a socket.

What a frame holds is ``grader.codec``'s business: plain data only, decoded
without running code, at most ``codec.MAX_BYTES``.
"""

from __future__ import annotations

import socket
import struct
from typing import Any

from grader import codec

MAX_FRAME = codec.MAX_BYTES  # a reply larger than this is refused, not read


class WireError(Exception):
    """The other side sent something that is not a valid frame (or hung up)."""


class TooLarge(WireError):
    """A message that declares a tensor larger than a reply may hold (found before allocating it)."""

    def __init__(self, error: codec.TooLarge) -> None:
        super().__init__(str(error))
        self.shape, self.elements = error.shape, error.elements


def loads(frame: bytes | bytearray | memoryview) -> Any:
    """A message from the other side, read as plain data only."""
    try:
        return codec.loads(frame)
    except codec.TooLarge as error:
        raise TooLarge(error) from None
    except codec.CodecError as error:
        raise WireError(f"not plain data: {error}") from None


# ---------------------------------------------------------------- framing


def send(sock: socket.socket, message: Any) -> None:
    send_frame(sock, codec.dumps(message))


def send_frame(sock: socket.socket, data: bytes) -> None:
    sock.sendall(struct.pack("!Q", len(data)) + data)


def receive(sock: socket.socket, limit: int = MAX_FRAME) -> Any:
    return loads(receive_frame(sock, limit))


def receive_frame(sock: socket.socket, limit: int = MAX_FRAME) -> bytes:
    """One message, still encoded (``loads`` reads it, as often as needed)."""
    header = _exactly(sock, 8)
    (size,) = struct.unpack("!Q", header)
    if size > limit:
        raise WireError(f"a reply of {size} bytes, over the limit of {limit}")
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytearray:
    """``size`` bytes read into one buffer (no second copy while joining pieces)."""
    data = bytearray(size)
    view, done = memoryview(data), 0
    while done < size:
        got = sock.recv_into(view[done:], min(size - done, 1 << 20))
        if not got:
            raise WireError("the other side hung up")
        done += got
    view.release()
    return data


def close_quietly(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            sock.close()
        except OSError:
            pass


__all__ = ["WireError", "TooLarge", "send", "receive", "receive_frame", "send_frame", "loads", "close_quietly"]
