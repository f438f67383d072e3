"""Loopback networking helpers: free ports and a tiny raw SIP client.

The raw client sends hand-written requests (OPTIONS, garbage) so tests can
probe the PBX without a full user agent: to wait until it is ready and to
check it survives malformed input.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid

HOST = "127.0.0.1"

_lock = threading.Lock()
# Port blocks handed out in this process. Start at a pid-derived offset so two
# test runs on the same machine rarely collide; every block is probed anyway.
_next_block = 20000 + (os.getpid() * 37) % 400 * 100
_used: set[int] = set()


def _bindable(port: int, kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM)) -> bool:
    for kind in kinds:
        s = socket.socket(socket.AF_INET, kind)
        try:
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((HOST, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both)."""
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        s.close()
        with _lock:
            if port in _used:
                continue
        if _bindable(port):
            with _lock:
                _used.add(port)
            return port
    raise RuntimeError("no free UDP+TCP port on 127.0.0.1")


def port_block(size: int = 100) -> tuple[int, int]:
    """A range [lo, hi] of `size` UDP ports, none handed out before, all bindable now.

    Used for RTP ranges so each PBX and phone has its own and a leaked socket
    from one test cannot receive another test's media.
    """
    global _next_block
    for _ in range(400):
        with _lock:
            lo = _next_block
            _next_block += size
            if _next_block + size > 60000:
                _next_block = 20000
        hi = lo + size - 1
        probe = [lo, lo + 1, (lo + hi) // 2, hi - 1, hi]
        if all(_bindable(p, (socket.SOCK_DGRAM,)) for p in probe):
            with _lock:
                _used.update(range(lo, hi + 1))
            return lo, hi
    raise RuntimeError("no free RTP port block")


def _branch() -> str:
    return "z9hG4bK" + uuid.uuid4().hex[:16]


def options_request(target_port: int, local_port: int, transport: str = "UDP") -> bytes:
    call_id = uuid.uuid4().hex
    tag = uuid.uuid4().hex[:8]
    return (
        f"OPTIONS sip:{HOST}:{target_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} {HOST}:{local_port};branch={_branch()};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:probe@{HOST}>;tag={tag}\r\n"
        f"To: <sip:{HOST}:{target_port}>\r\n"
        f"Call-ID: {call_id}@{HOST}\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"Contact: <sip:probe@{HOST}:{local_port}>\r\n"
        f"Accept: application/sdp\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


def status_of(response: bytes) -> int | None:
    """Status code of a SIP response, or None if it is not one."""
    line = response.split(b"\r\n", 1)[0].decode("latin-1", "replace").split()
    if len(line) >= 2 and line[0] == "SIP/2.0" and line[1].isdigit():
        return int(line[1])
    return None


def udp_exchange(target_port: int, payload: bytes, timeout: float = 1.0) -> bytes | None:
    """Sends one datagram from a fresh socket; returns the first reply or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((HOST, 0))
        s.settimeout(timeout)
        s.sendto(payload, (HOST, target_port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                return None
            # Skip provisional responses (e.g. 100 Trying) to find the final one.
            code = status_of(data)
            if code is None or code >= 200:
                return data
        return None
    finally:
        s.close()


def sip_options_udp(target_port: int, timeout: float = 1.0) -> int | None:
    """Sends OPTIONS over UDP and returns the final status code (None on timeout)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((HOST, 0))
        local = s.getsockname()[1]
    finally:
        s.close()
    # Re-create on the same port so the Via matches the source.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((HOST, local))
        s.settimeout(timeout)
        s.sendto(options_request(target_port, local), (HOST, target_port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data, _ = s.recvfrom(65535)
            except (socket.timeout, ConnectionRefusedError):
                return None
            code = status_of(data)
            if code is not None and code >= 200:
                return code
        return None
    finally:
        s.close()


def sip_options_tcp(target_port: int, timeout: float = 2.0) -> int | None:
    """Sends OPTIONS over TCP and returns the final status code (None on failure)."""
    try:
        s = socket.create_connection((HOST, target_port), timeout=timeout)
    except OSError:
        return None
    try:
        local = s.getsockname()[1]
        s.sendall(options_request(target_port, local, "TCP"))
        buf = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65535)
            except (socket.timeout, OSError):
                return None
            if not chunk:
                return None
            buf += chunk
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() in (b"content-length", b"l"):
                        length = int(value.strip() or 0)
                buf = buf[length:]
                code = status_of(head)
                if code is not None and code >= 200:
                    return code
        return None
    finally:
        s.close()


def random_token(n: int = 8) -> str:
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))
