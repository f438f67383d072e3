"""An Opus-only phone (baresip) and a provider that speaks only PCMU share no codec: the
PBX offers the provider the trunk's codec alone, answers the phone in Opus and
transcodes between the two, so tones pass both ways on a call out and on a call in.
"""

from __future__ import annotations

import time

from harness.admin import registration_trunk, route
from harness.business import SALES_NUMBER, sales_office
from harness.calls import PJ_TONE, TALK_S
from harness.provider import PROVIDER_TONE
from harness.tones import assert_hears

# The phone's tone, apart from the provider's.
PHONE_TONE = PJ_TONE


def opus_phone(phones, office, number: str):
    return phones.baresip_registered(office, number, tone_hz=PHONE_TONE, audio_codecs="opus/48000/2")


def offered_codecs(body: bytes) -> list[str]:
    """The encodings an SDP body's rtpmap lines name, in order."""
    names = []
    for line in body.decode(errors="replace").splitlines():
        if line.startswith("a=rtpmap:"):
            names.append(line.split(" ", 1)[1].split("/", 1)[0])
    return names


def assert_spoke_opus(phone) -> None:
    log = phone.log_text()
    assert "Set audio encoder: opus" in log, f"the phone did not send Opus:\n{log[-2000:]}"


def pcmu_trunk(office, provider, **kw) -> dict:
    config = registration_trunk(provider, **kw)
    config["codecs"] = ["PCMU"]
    return config


def test_an_opus_phone_calls_out_through_a_pcmu_trunk_and_tones_pass_both_ways(office, provider, phones):
    alice = opus_phone(phones, office, "1001")
    trunk = office.save_trunk(pcmu_trunk(office, provider))
    office.save_outbound_routes([route([trunk["id"]], ["0."], strip=1, prepend="+44")])
    office.set_outbound_permission("1001", True)
    provider.wait_binding()
    provider.accept_calls()

    alice.call(office.uri("02071234567"))
    out = provider.wait_outbound(1, timeout=10)
    codecs = offered_codecs(out.invite.body)
    assert codecs and set(codecs) <= {"PCMU", "telephone-event"}, codecs
    alice.wait_state("confirmed")
    time.sleep(TALK_S)
    alice.hangup()
    out.wait("ended")

    out.assert_hears(PHONE_TONE, [PROVIDER_TONE])
    assert_hears(alice.last_recording(), PROVIDER_TONE, [PHONE_TONE])
    assert_spoke_opus(alice)


def test_a_pcmu_provider_calls_an_opus_phone_and_tones_pass_both_ways(office, provider, phones):
    alice = opus_phone(phones, office, "1001")
    sales_office(office, provider, members=["1001"])

    call = provider.call(SALES_NUMBER)
    alice.wait_incoming()
    alice.answer()
    answer = call.wait_answered()
    codecs = offered_codecs(answer.body)
    assert codecs and set(codecs) <= {"PCMU", "PCMA", "telephone-event"}, codecs
    alice.wait_state("confirmed")
    time.sleep(TALK_S)
    call.hangup()
    alice.wait_disconnected()

    call.assert_hears(PHONE_TONE, [PROVIDER_TONE])
    assert_hears(alice.last_recording(), PROVIDER_TONE, [PHONE_TONE])
    assert_spoke_opus(alice)
