"""Websocket clients for bench/channels.py, in their own process: `python -m bench._ws_counter
HOST PORT PATH CLIENTS HELLO_BYTES TOTAL_BYTES ROUNDS`.

Opens CLIENTS raw websockets and counts the bytes each receives instead of parsing frames (every
message of the bench has the same length). Prints `joined` once every socket has its server's
HELLO_BYTES (the handler's greeting after it joined), then, for each of ROUNDS, `done` once every
socket has received TOTAL_BYTES more.
"""

from __future__ import annotations

import base64
import os
import selectors
import socket
import sys

HANDSHAKE = (
    "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def _connect(host: str, port: int, path: str) -> tuple[socket.socket, int]:
    """A socket past its handshake, and how many frame bytes came with the 101 already."""
    sock = socket.create_connection((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(HANDSHAKE.format(path=path, host=host, port=port, key=key).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("server closed during the handshake")
        head += chunk
    status, _, rest = head.partition(b"\r\n\r\n")
    if b" 101 " not in status.split(b"\r\n", 1)[0]:
        raise SystemExit(f"handshake refused: {status[:80]!r}")
    sock.setblocking(False)
    return sock, len(rest)


def _read_until(selector: selectors.DefaultSelector, counts: dict[int, int], goal: int) -> None:
    """Read every socket until each has `goal` bytes in `counts`."""
    waiting = sum(1 for n in counts.values() if n < goal)
    while waiting:
        for key, _ in selector.select():
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            data = sock.recv(1 << 16)
            if not data:
                raise SystemExit("server closed a socket")
            before = counts[sock.fileno()]
            counts[sock.fileno()] = before + len(data)
            if before < goal <= before + len(data):
                waiting -= 1


def _open(
    host: str, port: int, path: str, clients: int
) -> tuple[selectors.DefaultSelector, dict[int, int], list[socket.socket]]:
    """`clients` websockets registered for reading: the selector, the bytes each socket has
    received so far (by file number) and the sockets."""
    selector = selectors.DefaultSelector()
    counts: dict[int, int] = {}
    sockets = []
    for _ in range(clients):
        sock, already = _connect(host, port, path)
        sockets.append(sock)
        counts[sock.fileno()] = already
        selector.register(sock, selectors.EVENT_READ)
    return selector, counts, sockets


def main(argv: list[str]) -> None:
    """Run the clients the command line's arguments `argv` describe (in the order above)."""
    host, port, path, clients, hello_bytes, total_bytes, rounds = argv
    hello, total = int(hello_bytes), int(total_bytes)
    selector, counts, sockets = _open(host, int(port), path, int(clients))
    _read_until(selector, counts, hello)
    print("joined", flush=True)
    for number in range(1, int(rounds) + 1):
        _read_until(selector, counts, hello + number * total)
        print("done", flush=True)
    for sock in sockets:
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1:8])
