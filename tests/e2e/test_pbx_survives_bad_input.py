"""Malformed input gets 400 or silence, never a crash; OPTIONS keeps working."""

import random
import signal

import pytest

from harness import net

MALFORMED = {
    "random_bytes": random.Random(4475).randbytes(300),
    "empty_lines": b"\r\n\r\n\r\n",
    "no_headers": b"INVITE sip:1002@127.0.0.1 SIP/2.0\r\n\r\n",
    "missing_call_id_and_cseq": (b"INVITE sip:1002@127.0.0.1 SIP/2.0\r\n"
                                 b"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad1\r\n"
                                 b"From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:1002@127.0.0.1>\r\n"
                                 b"Content-Length: 0\r\n\r\n"),
    "bad_content_length": (b"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
                           b"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad2\r\n"
                           b"From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
                           b"Call-ID: bad2\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                           b"Content-Length: 99999\r\n\r\nshort"),
    "garbage_cseq": (b"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
                     b"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad3\r\n"
                     b"From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
                     b"Call-ID: bad3\r\nCSeq: many OPTIONS\r\nMax-Forwards: 70\r\n"
                     b"Content-Length: 0\r\n\r\n"),
    "binary_in_request_line": b"REGISTER \xff\xfe\x00 SIP/2.0\r\nVia: \x00\r\n\r\n",
    "response_nobody_asked_for": (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnone\r\n"
                                  b"From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:y@127.0.0.1>;tag=2\r\n"
                                  b"Call-ID: none\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_datagram_gets_400_or_nothing_and_pbx_keeps_answering(pbx, name):
    reply = net.udp_exchange(pbx.port, MALFORMED[name], timeout=1.0)
    if reply is not None:
        assert net.status_of(reply) == 400, f"unexpected reply to {name}: {reply[:200]!r}"
    assert pbx.alive(), "switchboard serve died"
    assert net.sip_options_udp(pbx.port, timeout=2.0) == 200


def test_options_is_answered_over_tcp(pbx):
    assert net.sip_options_tcp(pbx.port) == 200


def test_serve_stops_cleanly_on_sigterm(pbx):
    assert pbx.stop(signal.SIGTERM) == 0


def test_serve_stops_cleanly_on_ctrl_c(pbx):
    assert pbx.stop(signal.SIGINT) == 0
