"""`PjPhone`: a pjsua2 softphone in a child process (see pj_worker.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from . import net
from .phone import Phone
from .tones import write_sine_wav

WORKER = Path(__file__).with_name("pj_worker.py")
REPLY_TIMEOUT = 15.0


class PjPhone(Phone):
    """A pjsua2 phone with a null sound device that plays a sine and records what it hears.

    `PjPhone(workdir, "alice", 440)` starts the process and a SIP transport on an
    ephemeral port of 127.0.0.1; then either `register(...)` with a PBX or
    `local_account(...)` to call other phones directly.
    """

    kind = "pjsua2"

    def __init__(self, workdir: Path, name: str = "pj", tone_hz: float = 440, transport: str = "udp",
                 codecs: list[str] | None = None, tls_ca: str | None = None, srtp: str | None = None):
        super().__init__(name, tone_hz, Path(workdir) / f"pjsua2-{name}")
        self.transport = transport
        self.log_path = self.workdir / "pjsua.log"
        self.stderr_path = self.workdir / "worker.stderr"
        tone = write_sine_wav(self.workdir / f"tone-{int(tone_hz)}.wav", tone_hz, rate=16000)
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            cwd=self.workdir, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._replies: dict[int, dict] = {}
        self._next_id = 0
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, name=f"pj-{name}", daemon=True)
        self._reader.start()
        rtp_lo, rtp_hi = net.port_block(40)
        started = self._cmd("start", tone_wav=str(tone), record_dir=str(self.workdir),
                            log_file=str(self.log_path), transport=transport,
                            rtp_port=rtp_lo, rtp_range=rtp_hi - rtp_lo, codecs=codecs,
                            tls_ca=tls_ca, srtp=srtp)
        self.port: int = started["port"]
        self.user: str | None = None
        self.recordings: list[Path] = []

    # ----- process plumbing -------------------------------------------------

    def _read_loop(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if "event" in msg:
                ev = msg["event"]
                if ev.get("type") == "recording" and ev.get("path"):
                    self.recordings.append(Path(ev["path"]))
                self._push(ev)
            else:
                with self._cond:
                    self._replies[msg["id"]] = msg
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _cmd(self, cmd: str, timeout: float = REPLY_TIMEOUT, **args):
        with self._send_lock:
            self._next_id += 1
            rid = self._next_id
            line = json.dumps({"id": rid, "cmd": cmd, "args": args}) + "\n"
            assert self.proc.stdin is not None
            self.proc.stdin.write(line.encode())
            self.proc.stdin.flush()
        with self._cond:
            ok = self._cond.wait_for(lambda: rid in self._replies or not self.alive(), timeout)
            reply = self._replies.pop(rid, None)
        if not ok or reply is None:
            raise AssertionError(f"{self}: no reply to {cmd!r} (alive={self.alive()}); "
                                 f"stderr: {self._tail(self.stderr_path)}")
        if not reply["ok"]:
            raise AssertionError(f"{self}: {cmd} failed: {reply['error']}")
        return reply["result"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    @staticmethod
    def _tail(path: Path, n: int = 4000) -> str:
        try:
            return path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def log_text(self) -> str:
        return (f"--- worker stderr ---\n{self._tail(self.stderr_path)}\n"
                f"--- pjsua log (tail) ---\n{self._tail(self.log_path, 20000)}")

    # ----- accounts ---------------------------------------------------------

    @property
    def uri(self) -> str:
        """Where to reach this phone directly, bypassing any PBX."""
        tp = f";transport={self.transport}" if self.transport != "udp" else ""
        return f"sip:{self.user or self.name}@127.0.0.1:{self.port}{tp}"

    def local_account(self) -> None:
        """An account that does not register: for calling phones directly."""
        self.user = self.name
        self._cmd("account", user=self.name, domain=f"127.0.0.1:{self.port}")

    def register(self, registrar: str, user: str, password: str, display: str | None = None,
                 expires: int = 3600) -> None:
        """Registers `user` at `registrar` ("127.0.0.1:5060"); wait with `wait_registration`."""
        self.user = user
        self._reg_start = self.mark()
        self._cmd("account", user=user, domain=registrar, password=password, registrar=registrar,
                  expires=expires, display=display)

    # ----- calls ------------------------------------------------------------

    def call(self, uri: str) -> None:
        self._begin_call()
        self._cmd("make_call", uri=uri)

    def answer(self) -> None:
        self._cmd("answer", code=200)

    def reject(self, code: int = 486) -> None:
        self._cmd("reject", code=code)

    def hangup(self) -> None:
        self._cmd("hangup")

    def hold(self) -> None:
        self._cmd("hold")

    def unhold(self) -> None:
        self._cmd("unhold")

    def restart_recording(self) -> Path:
        """Starts a fresh recording of the current call (e.g. after resume)."""
        return Path(self._cmd("start_recording")["path"])

    def stop_recording(self) -> Path:
        """Finishes the current call's recording and returns its WAV."""
        return Path(self._cmd("stop_recording")["path"])

    def last_recording(self, timeout: float = 5.0) -> Path:
        """The WAV of the last call that ended."""
        self.wait_for(lambda e: e["type"] == "recording" and e.get("path"), timeout,
                      self._call_start, "the call's recording")
        return self.recordings[-1]

    # ----- lifetime -----------------------------------------------------------

    def close(self) -> None:
        if self.alive():
            try:
                self._cmd("shutdown", timeout=5)
            except AssertionError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        self._stderr.close()
