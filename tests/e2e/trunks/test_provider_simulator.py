"""The simulated provider itself works, checked against pjsua2 and a hand-written client.

A trunk test that fails should point at the PBX, never at the simulator: these
show its registrar verifies digest answers (and can refuse), and its caller
sets up a call with audio both ways and ends it, with no PBX involved.
"""

import socket
import time

from harness import net, sipmsg
from harness.calls import PJ_TONE, TALK_S
from harness.provider import CALLER_NAME, PROVIDER_TONE
from harness.tones import assert_hears


def _register(provider, password: str, expires: int = 120, contact_user: str = "c0ntact") -> tuple[int, int]:
    """A raw REGISTER client: sends, answers the challenge once; returns (first, last) status."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((net.HOST, 0))
    s.settimeout(2)
    port = s.getsockname()[1]
    uri = f"sip:{provider.addr}"
    call_id = f"{net.random_token(12)}@{net.HOST}"
    codes = []
    auth = None
    try:
        for cseq in (1, 2):
            headers = [("Via", f"SIP/2.0/UDP {net.HOST}:{port};branch={sipmsg.branch()};rport"),
                       ("Max-Forwards", "70"), ("From", f"<sip:{provider.username}@{provider.addr}>;tag=abc"),
                       ("To", f"<sip:{provider.username}@{provider.addr}>"), ("Call-ID", call_id),
                       ("CSeq", f"{cseq} REGISTER"),
                       ("Contact", f"<sip:{contact_user}@{net.HOST}:{port}>"), ("Expires", str(expires))]
            if auth:
                headers.append(("Authorization", auth))
            s.sendto(sipmsg.request("REGISTER", uri, headers).encode(), (provider.host, provider.port))
            resp = sipmsg.parse(s.recvfrom(65535)[0])
            codes.append(resp.code)
            challenge = resp.get("www-authenticate")
            if resp.code != 401 or not challenge:
                break
            auth = sipmsg.authorization(challenge, provider.username, password, "REGISTER", uri)
    finally:
        s.close()
    return codes[0], codes[-1]


def test_registrar_challenges_then_accepts_the_right_password(provider):
    assert _register(provider, provider.password) == (401, 200)
    binding = provider.wait_binding(timeout=2)
    assert binding.user == "c0ntact"
    assert binding.expires == 120
    assert [r.code for r in provider.registers] == [401, 200]


def test_registrar_refuses_a_wrong_password(provider):
    assert _register(provider, provider.password + "x") == (401, 401)
    assert provider.binding() is None
    assert "password" in provider.registers[-1].problem


def test_registrar_answers_403_when_told_to(provider):
    provider.reject_register = 403
    assert _register(provider, provider.password) == (403, 403)
    assert provider.binding() is None


def test_pjsua2_registers_to_the_simulated_provider(provider, phones):
    phone = phones.pj("trunkclient")
    phone.register(provider.addr, provider.username, provider.password)
    assert phone.wait_registration() == 200, phone.last_reg
    binding = provider.wait_binding(timeout=5)
    assert binding.source[1] == phone.port
    # pjsua2 answered the challenge with qop=auth, and the registrar checked it.
    assert [r.code for r in provider.registers][:2] == [401, 200], [str(r) for r in provider.registers]


def test_pjsua2_with_a_wrong_password_is_refused(provider, phones):
    phone = phones.pj("trunkclient")
    phone.register(provider.addr, provider.username, "not-" + provider.password)
    assert phone.wait_registration() in (401, 403), phone.last_reg
    assert provider.binding() is None


def test_provider_calls_a_phone_with_audio_both_ways(provider, phones):
    phone = phones.pj("callee", PJ_TONE)
    phone.local_account()

    call = provider.call("+442071234567", target=phone.uri)
    incoming = phone.wait_incoming()
    assert incoming["display"] == CALLER_NAME, incoming
    assert "+442071234567" in incoming["to"], incoming
    call.wait_ringing()
    phone.answer()
    call.wait_answered()
    phone.wait_state("confirmed")
    time.sleep(TALK_S)
    call.hangup()
    phone.wait_disconnected()

    call.assert_hears(PJ_TONE, [PROVIDER_TONE])
    assert_hears(phone.last_recording(), PROVIDER_TONE, [PJ_TONE])


def test_provider_sees_the_phone_hang_up(provider, phones):
    phone = phones.pj("callee", PJ_TONE)
    phone.local_account()
    call = provider.call("+442071234567", target=phone.uri)
    phone.wait_incoming()
    phone.answer()
    call.wait_answered()
    phone.hangup()
    call.wait_ended()
    assert call.ended_by == "remote"


def test_provider_records_a_refusal_and_acknowledges_it(provider, phones):
    phone = phones.pj("callee", PJ_TONE)
    phone.local_account()
    call = provider.call("+442071234567", target=phone.uri)
    phone.wait_incoming()
    phone.reject(486)
    assert call.wait_final() == 486
    phone.wait_disconnected()
    # RFC 3261 §17.2.1: without our ACK the phone would resend the 486 after 0.5 s and 1.5 s.
    time.sleep(2)
    assert [r.code for r in call.responses].count(486) == 1, [r.code for r in call.responses]
    assert call.state == "failed"
    assert not call.audio.packets_in, "no audio on a refused call"


def test_provider_cancels_while_ringing(provider, phones):
    phone = phones.pj("callee", PJ_TONE)
    phone.local_account()
    call = provider.call("+442071234567", target=phone.uri)
    phone.wait_incoming()
    call.wait_ringing()
    call.cancel()
    assert call.wait_final() == 487
    phone.wait_disconnected()


def test_provider_takes_an_authenticated_call_with_audio_both_ways(provider, phones):
    phone = phones.pj("pbxlike", PJ_TONE)
    phone.register(provider.addr, provider.username, provider.password)
    assert phone.wait_registration() == 200
    answerer = provider.accept_calls()

    phone.call(f"sip:+442071234567@{provider.addr}")
    out = provider.wait_outbound()
    assert [code for _, code, _ in answerer.attempts] == [407, 200], answerer.attempts
    assert out.number == "+442071234567"
    phone.wait_state("confirmed")
    time.sleep(TALK_S)
    out.hangup()
    phone.wait_disconnected()

    out.assert_hears(PJ_TONE, [PROVIDER_TONE])
    assert_hears(phone.last_recording(), PROVIDER_TONE, [PJ_TONE])


def test_provider_refuses_a_call_with_the_wrong_password(provider, phones):
    phone = phones.pj("pbxlike", PJ_TONE)
    phone.register(provider.addr, provider.username, provider.password)
    assert phone.wait_registration() == 200
    provider.password = "changed"
    answerer = provider.accept_calls()
    phone.call(f"sip:+442071234567@{provider.addr}")
    assert phone.wait_disconnected() == 403
    assert [code for _, code, _ in answerer.attempts] == [407, 403], answerer.attempts
    assert not provider.outbound_calls()
