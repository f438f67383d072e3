"""Voicemail to e-mail end to end: the test runs its own SMTP server (aiosmtpd) that
requires STARTTLS and a login, with a certificate from a test CA (trustme) that the PBX
trusts through SSL_CERT_FILE. The owner's settings go in through the admin API; the test
e-mail shows the server's answer (and its refusal of a wrong password); then a caller
leaves a message for Bob and the e-mail arrives over TLS, logged in, with the caller in
the subject and the WAV attached, and that WAV holds the caller's tone.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
import time

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from harness.admin import AdminPbx
from harness.calls import PJ_TONE, PJ_TONE_2
from harness.tones import assert_hears

USER, PASSWORD = "pbx@example.com", "correct horse"
# The default greeting ("The person you are calling is not available…") and the beep.
GREETING_S = 5.5
MESSAGE_S = 3.0


class Inbox:
    """aiosmtpd handler: keeps each accepted message, whether it came over STARTTLS and
    whether the sender logged in."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({
                "rcpt": list(envelope.rcpt_tos),
                "mail_from": envelope.mail_from,
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
                "data": envelope.original_content or envelope.content,
            })
        return "250 2.0.0 Ok: queued by the test server"

    def wait(self, count: int, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.2)
        raise AssertionError(f"{count} e-mail(s) expected within {timeout:g} s, got {len(self.messages)}")


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_context(ca) -> ssl.SSLContext:
    """A server's TLS context with a certificate for 127.0.0.1 issued by `ca`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def test_ca(tmp_path, monkeypatch):
    ca = trustme.CA()
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    # The PBX (started after this fixture) trusts the test CA, and only it.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return ca


@pytest.fixture
def smtp_server(test_ca):
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(),
        tls_context=server_context(test_ca), require_starttls=True,
        auth_required=True, auth_require_tls=True, authenticator=authenticate,
    )
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def office(smtp_server, switchboard_bin, tmp_path, request):
    p = AdminPbx(switchboard_bin, tmp_path / "pbx")
    if not hasattr(request.node, "_e2e_artifacts"):
        request.node._e2e_artifacts = []
    request.node._e2e_artifacts.append(p)
    p.add_extension("1001", "Alice")
    p.add_extension("1002", "Bob")
    p.start()
    yield p
    p.stop()


def settings(port: int, password: str | None) -> dict:
    s = {"enabled": True, "host": "127.0.0.1", "port": port, "security": "starttls",
         "username": USER, "from": "phones@example.com"}
    if password is not None:
        s["password"] = password
    return s


def leave_message(office: AdminPbx, phones) -> None:
    """Alice calls Bob, who has no phone registered: voicemail answers and takes her tone."""
    alice = phones.pj_registered(office, "1001", tone_hz=PJ_TONE)
    alice.call(office.uri("1002"))
    alice.wait_state("confirmed")
    time.sleep(GREETING_S + MESSAGE_S)
    alice.hangup()
    alice.wait_disconnected()


def wait_outbox(office: AdminPbx, done, timeout: float = 60.0) -> list[dict]:
    """The recent e-mails once `done(outbox)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        outbox = office.api("get_mail_settings", {})["outbox"]
        if done(outbox):
            return outbox
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox not as expected within {timeout:g} s: {outbox}")
        time.sleep(0.3)


def test_a_message_is_e_mailed_over_starttls_with_the_wav_attached(office, smtp_server, phones, tmp_path):
    port, inbox = smtp_server

    # The test e-mail shows the server's answer: a refusal first, then an acceptance.
    refused = office.api("send_test_email", {"to": "bob@example.com", "settings": settings(port, "wrong")})
    assert refused["sent"] is False, refused
    assert "password" in refused["message"], refused
    assert "535" in refused["server_reply"], refused
    accepted = office.api("send_test_email", {"to": "bob@example.com", "settings": settings(port, PASSWORD)})
    assert accepted["sent"] is True, accepted
    assert accepted["server_reply"].startswith("250"), accepted
    assert "queued by the test server" in accepted["server_reply"], accepted
    test_mail = inbox.wait(1, 10)[0]
    assert test_mail["tls"] and test_mail["rcpt"] == ["bob@example.com"], test_mail

    saved = office.api("save_mail_settings", settings(port, PASSWORD))
    assert saved["settings"]["password_set"] is True
    assert PASSWORD not in str(saved)
    office.api("enable_mailbox", {"number": "1002", "pin": "7392"})
    office.api("set_mailbox_email", {"mailbox": "1002", "address": "bob@example.com"})
    # The PBX notices database changes made by the API within a second.
    time.sleep(1.5)

    leave_message(office, phones)

    mail = inbox.wait(2, 60)[1]
    assert mail["tls"], "the voicemail e-mail came over STARTTLS"
    assert mail["authenticated"], "the PBX logged in"
    assert mail["rcpt"] == ["bob@example.com"], mail["rcpt"]
    assert mail["mail_from"] == "phones@example.com", mail["mail_from"]
    msg = email.message_from_bytes(mail["data"], policy=email.policy.default)
    subject = str(msg["subject"])
    assert "Voicemail from" in subject and "1001" in subject and "for 1002" in subject, subject
    attachments = [p for p in msg.iter_attachments() if p.get_content_type() == "audio/wav"]
    assert len(attachments) == 1, [p.get_content_type() for p in msg.iter_attachments()]
    wav = tmp_path / "attached.wav"
    wav.write_bytes(attachments[0].get_content())
    assert wav.read_bytes()[:4] == b"RIFF"
    assert_hears(wav, PJ_TONE, PJ_TONE_2, skip_s=0.3)
    # The same recording as the one in the inbox.
    files = [f for f in (office.data_dir / "voicemail").iterdir() if not f.name.startswith(".")]
    assert len(files) == 1 and files[0].read_bytes() == wav.read_bytes(), files

    # The server's answer is recorded just after it is given.
    outbox = wait_outbox(office, lambda o: bool(o) and o[0]["state"] != "queued", timeout=10)
    assert len(outbox) == 1, outbox
    assert outbox[0]["state"] == "sent", outbox
    assert "queued by the test server" in outbox[0]["server_reply"], outbox


def test_a_message_saved_while_the_server_is_unreachable_is_sent_once_the_settings_are_fixed(
        office, smtp_server, phones):
    port, inbox = smtp_server
    # A port nothing listens on: the owner typed the wrong one.
    office.api("save_mail_settings", settings(free_port(), PASSWORD))
    office.api("enable_mailbox", {"number": "1002", "pin": "7392"})
    office.api("set_mailbox_email", {"mailbox": "1002", "address": "bob@example.com"})
    time.sleep(1.5)

    leave_message(office, phones)

    # The call ended normally; the e-mail waits for a retry, with the reason shown.
    outbox = wait_outbox(office, lambda o: bool(o) and o[0]["attempts"] >= 1)
    entry = outbox[0]
    assert entry["state"] == "queued", entry
    assert "Could not reach the mail server 127.0.0.1" in entry["error"], entry
    assert entry["next_attempt_at"] is not None, entry
    assert inbox.messages == []

    # Saving the right port makes the waiting retry due at once.
    office.api("save_mail_settings", settings(port, None))
    mail = inbox.wait(1, 60)[0]
    assert mail["tls"] and mail["rcpt"] == ["bob@example.com"], mail
    msg = email.message_from_bytes(mail["data"], policy=email.policy.default)
    assert "1001" in str(msg["subject"]), msg["subject"]
    assert [p.get_content_type() for p in msg.iter_attachments()] == ["audio/wav"]
    outbox = wait_outbox(office, lambda o: o[0]["state"] == "sent", timeout=10)
    assert outbox[0]["attempts"] == 2, outbox



@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_works_and_a_certificate_this_computer_does_not_trust_is_refused(office, test_ca):
    def test_email(context: ssl.SSLContext) -> tuple[dict, Inbox]:
        inbox = Inbox()
        # aiosmtpd only counts STARTTLS as TLS for AUTH; this whole connection is TLS.
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=context,
                                auth_required=True, auth_require_tls=False, authenticator=authenticate)
        controller.start()
        try:
            s = settings(controller.port, PASSWORD)
            s["security"] = "tls"
            return office.api("send_test_email", {"to": "bob@example.com", "settings": s}), inbox
        finally:
            controller.stop()

    # A certificate from a CA this computer does not trust: nothing is sent, and the owner is
    # told why.
    answer, inbox = test_email(server_context(trustme.CA()))
    assert answer["sent"] is False, answer
    assert "certificate" in answer["message"], answer
    assert inbox.messages == []

    answer, inbox = test_email(server_context(test_ca))
    assert answer["sent"] is True, answer
    assert answer["server_reply"].startswith("250"), answer
    assert len(inbox.messages) == 1 and inbox.messages[0]["authenticated"], inbox.messages
