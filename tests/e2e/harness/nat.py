"""A NAT on loopback for phones "outside the office".

The phone talks to the NAT's inside address (127.0.0.3) as if it were the PBX; the NAT
forwards to the real PBX from its outside address (127.0.0.4) and a port of its own, so
the PBX sees the phone at an address and port the phone never wrote in its messages, as
with a home router. Answers and the PBX's own requests (an incoming call) come back
through the same mapping.

- UDP: one outside socket per inside source (an endpoint-independent mapping, RFC 4787
  §4.1), kept for the NAT's life.
- TCP: one outside connection per inside connection, bytes copied both ways.
"""

from __future__ import annotations

import selectors
import socket
import threading

INSIDE_IP = "127.0.0.3"
OUTSIDE_IP = "127.0.0.4"


class Nat:
    def __init__(self, server: tuple[str, int]):
        self.server = server
        self.sel = selectors.DefaultSelector()
        self.udp_inside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp_inside.bind((INSIDE_IP, 0))
        port = self.udp_inside.getsockname()[1]
        self.tcp_inside = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp_inside.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.tcp_inside.bind((INSIDE_IP, port))
        except OSError:
            self.tcp_inside.bind((INSIDE_IP, 0))
        self.tcp_inside.listen(16)
        self.tcp_inside.setblocking(False)
        self.udp_inside.setblocking(False)
        self.sel.register(self.udp_inside, selectors.EVENT_READ, ("udp_in", None))
        self.sel.register(self.tcp_inside, selectors.EVENT_READ, ("accept", None))
        # inside source address -> outside socket, and back
        self.udp_out: dict[tuple, socket.socket] = {}
        # what the PBX saw: outside (ip, port) of each mapping, per transport
        self.mapped: dict[str, list[tuple[str, int]]] = {"udp": [], "tcp": []}
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def addr(self, transport: str) -> str:
        sock = self.udp_inside if transport == "udp" else self.tcp_inside
        host, port = sock.getsockname()
        return f"{host}:{port}"

    def _run(self) -> None:
        while not self._stop:
            for key, _ in self.sel.select(timeout=0.2):
                kind, data = key.data
                try:
                    getattr(self, f"_on_{kind}")(key.fileobj, data)
                except OSError:
                    # A datagram that could not go is lost, as on a network; a broken
                    # connection is closed on both sides.
                    if kind == "pipe":
                        self._drop(key.fileobj, data)

    def _on_udp_in(self, sock, _data) -> None:
        payload, source = sock.recvfrom(65535)
        out = self.udp_out.get(source)
        if out is None:
            out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            out.bind((OUTSIDE_IP, 0))
            out.setblocking(False)
            self.udp_out[source] = out
            self.mapped["udp"].append(out.getsockname())
            self.sel.register(out, selectors.EVENT_READ, ("udp_out", source))
        out.sendto(payload, self.server)

    def _on_udp_out(self, sock, inside) -> None:
        payload, _ = sock.recvfrom(65535)
        self.udp_inside.sendto(payload, inside)

    def _on_accept(self, sock, _data) -> None:
        inside, _ = sock.accept()
        out = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        out.bind((OUTSIDE_IP, 0))
        out.connect(self.server)
        self.mapped["tcp"].append(out.getsockname())
        inside.setblocking(False)
        out.setblocking(False)
        self.sel.register(inside, selectors.EVENT_READ, ("pipe", out))
        self.sel.register(out, selectors.EVENT_READ, ("pipe", inside))

    def _on_pipe(self, sock, peer) -> None:
        data = sock.recv(65535)
        if not data:
            self._drop(sock, peer)
            return
        peer.setblocking(True)
        peer.sendall(data)
        peer.setblocking(False)

    def _drop(self, sock, peer) -> None:
        for s in (sock, peer):
            if isinstance(s, socket.socket):
                try:
                    self.sel.unregister(s)
                except (KeyError, ValueError):
                    pass
                s.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()
