"""SIPVicious against the PBX: svwar finds none of 20 extensions; svcrack, guessing 1001's
password from 127.0.0.5, finds nothing and that address is banned (its datagrams and TCP
connections go unanswered) while a phone on 127.0.0.1 stays registered and calls."""

import socket
import subprocess
import sys

import pytest

from harness import net
from harness.calls import PJ_TONE_2, assert_two_way_audio, connect, talk_and_hang_up

ATTACKER = "127.0.0.5"


# sipvicious 0.3.8's svcrack ignores its own --bindingip; this runs the tool with every
# socket bound to the attacker's address instead, which is what --bindingip should do.
LAUNCHER = """
import socket, sys
bind, source, tool = socket.socket.bind, sys.argv[1], sys.argv[2]
socket.socket.bind = lambda self, addr: bind(self, (source, addr[1]))
sys.argv = ["sipvicious_" + tool] + sys.argv[3:]
__import__("sipvicious." + tool, fromlist=["main"]).main()
"""


def sipvicious(tool: str, *args: str, timeout: float = 60) -> str:
    """Runs svwar or svcrack (the PyPI package) from ATTACKER; returns what it printed."""
    cmd = [sys.executable, "-c", LAUNCHER, ATTACKER, tool, "-x", ATTACKER]
    out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)
    return out.stdout + out.stderr


@pytest.fixture(autouse=True)
def _needs_sipvicious():
    try:
        import sipvicious  # noqa: F401
    except ImportError:
        pytest.fail("sipvicious is not installed (scripts/deps --test installs it)")


def options_from(source: str, port: int, timeout: float = 1.0) -> int | None:
    """OPTIONS over UDP from `source`; the final status, or None when nothing came back."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((source, 0))
        local = s.getsockname()[1]
        request = net.options_request(port, local).replace(b"127.0.0.1:%d" % local,
                                                           b"%s:%d" % (source.encode(), local))
        s.settimeout(timeout)
        s.sendto(request, ("127.0.0.1", port))
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            return None
        return net.status_of(data)
    finally:
        s.close()


def tcp_closed_at_once(source: str, port: int) -> bool:
    """Whether a TCP connection from `source` is closed before it is read."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((source, 0))
        s.settimeout(2.0)
        s.connect(("127.0.0.1", port))
        s.sendall(net.options_request(port, s.getsockname()[1], "TCP"))
        try:
            return s.recv(4096) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
    finally:
        s.close()


def test_svwar_finds_none_of_twenty_extensions(pbx_factory):
    pbx = pbx_factory()
    for n in range(2001, 2021):
        pbx.add_extension(str(n), f"Staff {n}")
    pbx.start()
    for method in ("REGISTER", "INVITE", "OPTIONS"):
        out = sipvicious("svwar", "-e", "1990-2030", "-m", method, "--force",
                         "-p", str(pbx.port), "127.0.0.1", "--maximumtime", "3")
        found = [n for n in range(2001, 2021) if f"| {n} " in out or f"|{n}|" in out
                 or f" {n}  " in out]
        assert "found nothing" in out, f"svwar -m {method} did not finish its scan:\n{out}"
        assert found == [], f"svwar -m {method} found {found}:\n{out}"
    assert pbx.alive()


def test_svcrack_is_banned_and_finds_nothing_while_a_phone_keeps_calling(pbx, phones):
    alice = phones.pj_registered(pbx, "1001")
    bob = phones.pj_registered(pbx, "1002", tone_hz=PJ_TONE_2)

    out = sipvicious("svcrack", "-u", "1001", "-r", "1-10000", "-p", str(pbx.port),
                     "127.0.0.1", "--maximumtime", "3", timeout=90)
    assert pbx.ext["1001"].password not in out
    assert "Password" not in out or "| 1001" not in out, f"svcrack reports a password:\n{out}"

    log = pbx.log_text()
    bans = [line for line in log.splitlines() if "source banned" in line and ATTACKER in line]
    assert len(bans) == 1, f"expected one ban of {ATTACKER}, log has {bans}"
    assert "failed_logins" in bans[0]
    # The ban holds: nothing from the address is answered, over UDP or TCP.
    assert options_from(ATTACKER, pbx.port) is None
    assert tcp_closed_at_once(ATTACKER, pbx.port)
    # Other addresses are served as before.
    assert options_from("127.0.0.1", pbx.port) == 200

    connect(alice, bob, pbx.uri("1002"))
    talk_and_hang_up(alice, bob)
    assert_two_way_audio(alice, bob)
    assert alice.find(lambda e: e["type"] == "reg" and e.get("code") == 200)
