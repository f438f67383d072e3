"""`Pbx`: one `switchboard serve` process on loopback with its own data dir and ports.

The CLI contract the tests rely on:

    switchboard --data DIR extension add 1001 --name "Alice" --json
        -> {"number": "1001", "name": "Alice", "password": "..."}
    switchboard --data DIR serve --listen 127.0.0.1:PORT --rtp-ports LO-HI --realm switchboard
        SIP over UDP and TCP on PORT, OPTIONS answered with 200 once ready,
        SIGTERM stops it cleanly
    switchboard --data DIR cdr list --json
        -> [{"caller": ..., "callee": ..., "outcome": "answered|busy|no_answer|
             unavailable|not_found|cancelled", "duration_s": ...}, ...]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import net

REPO = Path(__file__).resolve().parents[3]
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
REALM = "switchboard"


def find_binary() -> Path | None:
    """The switchboard binary: $SWITCHBOARD_BIN, else the newest cargo build."""
    env = os.environ.get("SWITCHBOARD_BIN")
    if env:
        return Path(env).resolve()
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    found = [p for p in (target / "debug" / "switchboard", target / "release" / "switchboard") if p.is_file()]
    if not found:
        return None
    return max(found, key=lambda p: p.stat().st_mtime)


@dataclass
class Extension:
    number: str
    name: str
    password: str


class Pbx:
    def __init__(self, binary: Path, workdir: Path, realm: str = REALM):
        self.binary = Path(binary)
        self.workdir = Path(workdir)
        self.data_dir = self.workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "switchboard.log"
        self.port = net.free_port()
        self.rtp = net.port_block(100)
        self.realm = realm
        self.proc: subprocess.Popen | None = None
        self._reaped: subprocess.Popen | None = None  # the last process whose exit was recorded
        self.ext: dict[str, Extension] = {}
        self.starts = 0
        self.exit_codes: list[int] = []

    # ----- addresses ---------------------------------------------------------

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"

    def uri(self, number: str) -> str:
        """What a phone dials to reach `number` through this PBX."""
        return f"sip:{number}@{self.addr}"

    # ----- CLI -----------------------------------------------------------------

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.binary), "--data", str(self.data_dir), *args],
                              capture_output=True, text=True, timeout=timeout)

    def cli_json(self, *args: str):
        res = self.cli(*args)
        assert res.returncode == 0, (f"switchboard {' '.join(args)} exited {res.returncode}:\n"
                                     f"{res.stdout}\n{res.stderr}")
        out = res.stdout.strip()
        for candidate in (out, out.splitlines()[-1] if out else ""):
            try:
                return json.loads(candidate)
            except ValueError:
                continue
        raise AssertionError(f"switchboard {' '.join(args)}: not JSON: {out!r}")

    def add_extension(self, number: str, name: str) -> Extension:
        rec = self.cli_json("extension", "add", number, "--name", name, "--json")
        assert str(rec.get("number")) == number, rec
        assert rec.get("password"), f"no password in {rec}"
        ext = Extension(number=number, name=str(rec.get("name", name)), password=str(rec["password"]))
        self.ext[number] = ext
        return ext

    def cdrs(self) -> list[dict]:
        rows = self.cli_json("cdr", "list", "--json")
        assert isinstance(rows, list), f"cdr list is not a JSON array: {rows!r}"
        return rows

    def wait_cdr(self, caller: str, callee: str, timeout: float = 10.0, outcome: str | None = None) -> dict:
        """The first call record between the two numbers (optionally with `outcome`)."""
        deadline = time.monotonic() + timeout
        rows: list[dict] = []
        while True:
            rows = self.cdrs()
            for row in rows:
                # `caller` per the CLI contract; `caller_number` is accepted too.
                who = str(row.get("caller", row.get("caller_number", "")))
                if caller in who and callee in str(row.get("callee", "")) and \
                        (outcome is None or row.get("outcome") == outcome):
                    return row
            if time.monotonic() > deadline:
                raise AssertionError(f"no CDR {caller} -> {callee} (outcome {outcome}) within {timeout:g} s; "
                                     f"records: {rows}")
            time.sleep(0.3)

    # ----- process -------------------------------------------------------------

    def serve_args(self) -> list[str]:
        return [str(self.binary), "--data", str(self.data_dir), "serve", "--listen", self.addr,
                "--rtp-ports", f"{self.rtp[0]}-{self.rtp[1]}", "--realm", self.realm,
                # The admin pages are not under test here; any free port keeps
                # parallel PBXs from competing for the default one.
                "--http", "127.0.0.1:0"]

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        env = {**os.environ}
        env.setdefault("RUST_LOG", "debug")
        env.setdefault("RUST_BACKTRACE", "1")
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.serve_args())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.serve_args(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir, env=env)
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"switchboard serve exited with {self.proc.returncode} before it was "
                                     f"ready:\n{self.log_tail()}")
            if net.sip_options_udp(self.port, timeout=0.5) == 200:
                return
            time.sleep(0.1)
        raise AssertionError(f"switchboard serve did not answer OPTIONS with 200 within {timeout:g} s:\n"
                             f"{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Stops the server (`sig`, then SIGKILL after a grace period); returns its exit code.

        Every process's exit code lands once in `exit_codes`, including one
        that had already died on its own.
        """
        proc = self.proc
        if proc is None:
            return None
        if self._reaped is proc:
            return proc.returncode
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
                with open(self.log_path, "ab") as log:
                    log.write(b"\n===== killed: did not stop within the grace period\n")
        self._reaped = proc
        self.exit_codes.append(proc.returncode)
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== exited with {proc.returncode}\n".encode())
        return proc.returncode

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, n: int = 30000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return "(no log)"

    def log_text(self) -> str:
        return self.log_tail()

    def __str__(self) -> str:
        return f"switchboard serve on {self.addr} (rtp {self.rtp[0]}-{self.rtp[1]}, data {self.data_dir})"
