"""One pjsua2 phone in its own process, driven by JSON lines on stdin/stdout.

pjsua2 allows a single Endpoint per process, so each `PjPhone` runs this script.
Requests:  {"id": 1, "cmd": "make_call", "args": {"uri": "sip:..."}}
Replies:   {"id": 1, "ok": true, "result": ...} or {"id": 1, "ok": false, "error": "..."}
Events:    {"event": {...}}  (see harness/phone.py for their shapes)

Everything pjsua does happens on this process's main thread: the library runs
with no worker threads (`threadCnt = 0`) and the loop below alternates between
`libHandleEvents` and reading stdin, so callbacks and commands never race.
"""

from __future__ import annotations

import json
import os
import select
import sys
import traceback

# Keep the protocol channel private: pjsip and Python may print to fd 1, so
# move the real stdout aside and point fd 1 at stderr (the phone's log file).
_proto = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import pjsua2 as pj  # noqa: E402  (after the fd shuffle on purpose)


def emit(obj: dict) -> None:
    _proto.write(json.dumps(obj) + "\n")
    _proto.flush()


def event(**kw) -> None:
    emit({"event": kw})


STATE_NAMES = {
    pj.PJSIP_INV_STATE_NULL: "null",
    pj.PJSIP_INV_STATE_CALLING: "calling",
    pj.PJSIP_INV_STATE_INCOMING: "incoming",
    pj.PJSIP_INV_STATE_EARLY: "early",
    pj.PJSIP_INV_STATE_CONNECTING: "connecting",
    pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
    pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
}

MEDIA_NAMES = {
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}


class Phone:
    """The process-wide state: endpoint, transport, accounts, calls, audio."""

    def __init__(self):
        self.ep = None
        self.acc = None
        self.calls: dict[int, "Call"] = {}
        self.keep: list = []  # pjsua objects that must outlive their callbacks
        self.current: int | None = None
        self.tone_wav = None
        self.player = None
        self.record_dir = "."
        self.record_seq = 0
        self.auto_ringing = True
        self.local_port = 0
        self.transport = "udp"

    # ----- setup -------------------------------------------------------------

    def start(self, tone_wav: str, record_dir: str, log_file: str, transport: str = "udp",
              rtp_port: int = 0, rtp_range: int = 100, user_agent: str = "switchboard-e2e-pjsua2",
              codecs: list[str] | None = None, tls_ca: str | None = None, srtp: str | None = None):
        self.tone_wav = tone_wav
        # "mandatory": offers RTP/SAVP with SDES keys and takes nothing else;
        # "optional": offers RTP/AVP with keys; None: no SRTP.
        self.srtp = srtp
        self.record_dir = record_dir
        self.transport = transport
        self.rtp_port = rtp_port
        self.rtp_range = rtp_range
        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = user_agent
        cfg.uaConfig.maxCalls = 8
        cfg.logConfig.level = 5
        cfg.logConfig.consoleLevel = 0
        cfg.logConfig.filename = log_file
        cfg.logConfig.msgLogging = True
        cfg.medConfig.noVad = True
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.clockRate = 16000
        cfg.medConfig.sndClockRate = 16000
        ep.libInit(cfg)
        tcfg = pj.TransportConfig()
        tcfg.port = 0
        tcfg.boundAddress = "127.0.0.1"
        tcfg.publicAddress = "127.0.0.1"
        kinds = {"tcp": pj.PJSIP_TRANSPORT_TCP, "tls": pj.PJSIP_TRANSPORT_TLS}
        kind = kinds.get(transport, pj.PJSIP_TRANSPORT_UDP)
        if transport == "tls":
            # The PBX's certificate is self-signed: trust exactly it when given, else
            # do not verify (as a desk phone set to "accept any certificate").
            tcfg.tlsConfig.verifyServer = bool(tls_ca)
            if tls_ca:
                tcfg.tlsConfig.CaListFile = tls_ca
        tid = ep.transportCreate(kind, tcfg)
        info = ep.transportGetInfo(tid)
        self.local_port = int(str(info.localName).rsplit(":", 1)[1])
        ep.libStart()
        ep.audDevManager().setNullDev()
        # G.711 only: every phone and the PBX speak it, and the tone check
        # should not depend on wideband codecs being negotiated the same way.
        # `codecs` (id prefixes in preference order) narrows it further, e.g. ["PCMU/"].
        wanted = codecs or ["PCMU/", "PCMA/"]
        for ci in ep.codecEnum2():
            cid = ci.codecId
            ranks = [i for i, prefix in enumerate(wanted) if cid.startswith(prefix)]
            ep.codecSetPriority(cid, 255 - ranks[0] if ranks else 0)
        self.ep = ep
        return {"port": self.local_port}

    def _media_config(self, acfg):
        mt = acfg.mediaConfig.transportConfig
        mt.boundAddress = "127.0.0.1"
        mt.publicAddress = "127.0.0.1"
        mt.port = self.rtp_port
        mt.portRange = self.rtp_range
        # Keep every offer/answer the peer's: no extra re-INVITE to narrow codecs.
        acfg.mediaConfig.lockCodecEnabled = False
        uses = {"mandatory": pj.PJMEDIA_SRTP_MANDATORY, "optional": pj.PJMEDIA_SRTP_OPTIONAL}
        acfg.mediaConfig.srtpUse = uses.get(self.srtp, pj.PJMEDIA_SRTP_DISABLED)
        # Keys only over TLS (RFC 4568 §8.3) when the phone signals over TLS, else allowed
        # over any transport (tests with the PBX's plain-transport option).
        acfg.mediaConfig.srtpSecureSignaling = 1 if self.transport == "tls" else 0
        nat = acfg.natConfig
        nat.iceEnabled = False
        nat.turnEnabled = False
        nat.sdpNatRewriteUse = 0
        nat.contactRewriteUse = 0
        nat.viaRewriteUse = 0
        nat.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
        nat.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED

    def account(self, user: str, domain: str, password: str | None = None,
                registrar: str | None = None, expires: int = 3600, display: str | None = None):
        """Creates the phone's one account; registers when a registrar is given."""
        acfg = pj.AccountConfig()
        tp = f";transport={self.transport}" if self.transport != "udp" else ""
        ident = f"sip:{user}@{domain}"
        acfg.idUri = f'"{display}" <{ident}>' if display else ident
        if registrar:
            acfg.regConfig.registrarUri = f"sip:{registrar}{tp}"
            acfg.regConfig.timeoutSec = expires
            acfg.regConfig.retryIntervalSec = 0  # report a failure once, don't loop
            acfg.regConfig.registerOnAdd = True
            # Route calls through the PBX (the registrar) like a real desk phone.
            acfg.sipConfig.proxies.append(f"sip:{registrar}{tp};lr")
        else:
            acfg.regConfig.registerOnAdd = False
        if password is not None:
            acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
        self._media_config(acfg)
        acc = Account(self)
        acc.create(acfg, True)
        self.acc = acc
        self.keep.append(acc)
        return {"uri": ident}

    def register(self, renew: bool = True):
        self.acc.setRegistration(renew)

    # ----- calls -------------------------------------------------------------

    def _call(self, call_id):
        if call_id is None:
            call_id = self.current
        call = self.calls.get(call_id)
        if call is None:
            raise RuntimeError(f"no such call {call_id}")
        return call

    def make_call(self, uri: str):
        call = Call(self, self.acc)
        prm = pj.CallOpParam(True)
        call.makeCall(uri, prm)
        cid = call.getId()
        self.calls[cid] = call
        self.keep.append(call)
        self.current = cid
        return {"call": cid}

    def answer(self, call=None, code: int = 200):
        prm = pj.CallOpParam()
        prm.statusCode = code
        self._call(call).answer(prm)

    def reject(self, call=None, code: int = 486):
        prm = pj.CallOpParam()
        prm.statusCode = code
        self._call(call).hangup(prm)

    def hangup(self, call=None):
        c = self._call(call)
        if c.isActive():
            c.hangup(pj.CallOpParam())

    def hold(self, call=None):
        self._call(call).setHold(pj.CallOpParam(True))

    def unhold(self, call=None):
        prm = pj.CallOpParam(True)
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        self._call(call).reinvite(prm)

    def xfer(self, uri: str, call=None):
        """Blind transfer: REFER the call's peer to `uri` (RFC 3515)."""
        self._call(call).xfer(uri, pj.CallOpParam(True))

    def xfer_replaces(self, call, other):
        """Attended transfer: REFER `call`'s peer to `other`'s, with Replaces (RFC 3891)."""
        self._call(call).xferReplaces(self._call(other), pj.CallOpParam(True))

    def dial_dtmf(self, digits: str, call=None):
        """Presses `digits` in the call: RFC 4733 telephone-events, pjsua2's default."""
        self._call(call).dialDtmf(digits)

    def send_info_dtmf(self, digits: str, call=None):
        """Presses `digits` in the call as SIP INFO (application/dtmf-relay)."""
        prm = pj.CallSendDtmfParam()
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = digits
        self._call(call).sendDtmf(prm)

    def state(self, call=None):
        ci = self._call(call).getInfo()
        return {"state": STATE_NAMES.get(ci.state, str(ci.state)), "code": ci.lastStatusCode,
                "reason": ci.lastReason}

    def start_recording(self, call=None):
        """(Re)starts recording what the call hears; returns the new WAV path."""
        return {"path": self._call(call).start_recording()}

    def stop_recording(self, call=None):
        """Finishes the recording (the WAV header is written on close)."""
        return {"path": self._call(call).stop_recording()}

    def shutdown(self):
        if self.ep is not None:
            try:
                self.ep.hangupAllCalls()
                for _ in range(20):
                    self.ep.libHandleEvents(10)
            except pj.Error:
                pass
            for c in self.calls.values():
                c.stop_recording()
        return {}

    def next_record_path(self, cid: int) -> str:
        self.record_seq += 1
        return os.path.join(self.record_dir, f"heard-{self.record_seq:03d}-call{cid}.wav")


class Account(pj.Account):
    def __init__(self, phone: Phone):
        pj.Account.__init__(self)
        self.phone = phone

    def onRegState(self, prm):
        event(type="reg", code=int(prm.code), reason=str(prm.reason), expiration=int(prm.expiration))

    def onIncomingCall(self, prm):
        phone = self.phone
        call = Call(phone, self, prm.callId)
        cid = call.getId()
        phone.calls[cid] = call
        phone.keep.append(call)
        phone.current = cid
        ci = call.getInfo()
        event(type="incoming", call=cid, **{"from": ci.remoteUri}, to=ci.localUri,
              display=_display(ci.remoteUri))
        if phone.auto_ringing:
            prm180 = pj.CallOpParam()
            prm180.statusCode = 180
            call.answer(prm180)


def _display(uri: str) -> str:
    uri = uri.strip()
    if uri.startswith('"'):
        return uri[1:].split('"', 1)[0]
    if "<" in uri:
        return uri.split("<", 1)[0].strip()
    return ""


class Call(pj.Call):
    def __init__(self, phone: Phone, acc, call_id=pj.PJSUA_INVALID_ID):
        pj.Call.__init__(self, acc, call_id)
        self.phone = phone
        self.recorder = None
        self.record_path = None
        self.audio = None
        self.player_linked = False

    def onDtmfDigit(self, prm):
        """A key the far end pressed: RFC 4733 events or SIP INFO (prm.method says)."""
        method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        event(type="dtmf", call=self.getId(), digit=str(prm.digit), method=method)

    def onCallState(self, prm):
        ci = self.getInfo()
        state = STATE_NAMES.get(ci.state, str(ci.state))
        event(type="state", call=ci.id, state=state, code=int(ci.lastStatusCode),
              reason=str(ci.lastReason))
        if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            path = self.stop_recording()
            self.audio = None
            event(type="recording", call=ci.id, path=path)

    def onCallRxReinvite(self, prm):
        event(type="reinvite", call=self.getId())

    def onCallMediaState(self, prm):
        ci = self.getInfo()
        for mi in ci.media:
            if mi.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            status = MEDIA_NAMES.get(mi.status, str(mi.status))
            event(type="media", call=ci.id, status=status, dir=int(mi.dir))
            if mi.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                self._connect_audio(mi.index)

    def _connect_audio(self, index: int):
        am = self.getAudioMedia(index)
        self.audio = am
        phone = self.phone
        if phone.player is None:
            phone.player = pj.AudioMediaPlayer()
            phone.player.createPlayer(phone.tone_wav, 0)  # 0 = loop forever
        phone.player.startTransmit(am)
        if self.recorder is None:
            self.start_recording()
        else:
            am.startTransmit(self.recorder)

    def start_recording(self):
        self.stop_recording()
        if self.audio is None:
            raise RuntimeError("call has no audio yet")
        path = self.phone.next_record_path(self.getId())
        rec = pj.AudioMediaRecorder()
        rec.createRecorder(path)
        self.audio.startTransmit(rec)
        self.recorder = rec
        self.record_path = path
        event(type="recording_started", call=self.getId(), path=path)
        return path

    def stop_recording(self):
        path = self.record_path
        if self.recorder is not None:
            if self.audio is not None:
                try:
                    self.audio.stopTransmit(self.recorder)
                except pj.Error:
                    pass
            # Dropping the last reference destroys the recorder, which writes
            # the final WAV header.
            self.recorder = None
        return path


COMMANDS = {"start", "account", "register", "make_call", "answer", "reject", "hangup", "hold",
            "unhold", "state", "start_recording", "stop_recording", "shutdown", "xfer",
            "xfer_replaces", "dial_dtmf", "send_info_dtmf"}


def main():
    phone = Phone()
    buf = b""
    stdin = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, "raw") else sys.stdin.buffer
    fd = stdin.fileno()
    while True:
        if phone.ep is not None:
            phone.ep.libHandleEvents(5)
            ready, _, _ = select.select([fd], [], [], 0.005)
        else:
            ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break  # parent went away
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not line.strip():
                continue
            req = json.loads(line)
            rid = req.get("id")
            cmd = req.get("cmd")
            try:
                if cmd not in COMMANDS:
                    raise ValueError(f"unknown command {cmd!r}")
                fn = getattr(phone, cmd)
                result = fn(**req.get("args", {}))
                emit({"id": rid, "ok": True, "result": result})
            except Exception as exc:  # reported to the parent, which raises
                traceback.print_exc()
                emit({"id": rid, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
            if cmd == "shutdown":
                try:
                    phone.ep.libDestroy()
                except Exception:
                    traceback.print_exc()
                sys.stderr.flush()
                os._exit(0)
    phone.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
