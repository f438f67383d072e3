"""The simulated provider in its own process, driven over JSON lines (for the browser tests).

    request  {"id": 1, "cmd": "call", "args": {"number": "+442071234567"}}
    reply    {"id": 1, "ok": true, "result": {...}} or {"id": 1, "ok": false, "error": "..."}

Commands: start {workdir, username, password, host?} → {port, addr, host} (host 127.0.0.3 by
default: the PBX takes every INVITE from a registration trunk's address as the trunk's, so the
provider must not share 127.0.0.1 with the phones); binding → {contact, user} or
null; wait_binding {timeout}; registers → [{code, problem, authorized}]; reject_register {code};
call {number, display?, caller?, target?} → {call}; wait_ringing / wait_answered /
wait_final / wait_ended / hangup {call, timeout?}; log → {text}; shutdown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.provider import Provider  # noqa: E402


class Worker:
    def __init__(self):
        self.provider: Provider | None = None
        self.calls = {}

    def start(self, workdir: str, username: str = "acme", password: str = "s3cret", name: str = "provider",
              host: str = "127.0.0.3"):
        self.provider = Provider(Path(workdir), name, username=username, password=password, host=host)
        return {"port": self.provider.port, "addr": self.provider.addr, "host": self.provider.host}

    def binding(self):
        b = self.provider.binding()
        return {"contact": b.contact, "user": b.user} if b else None

    def wait_binding(self, timeout: float = 20.0):
        b = self.provider.wait_binding(timeout)
        return {"contact": b.contact, "user": b.user}

    def registers(self):
        return [{"code": r.code, "problem": r.problem, "authorized": bool(r.request.get("authorization"))}
                for r in list(self.provider.registers)]

    def reject_register(self, code: int | None = 403):
        self.provider.reject_register = code
        return None

    def call(self, number: str, display: str = "Jane Doe", caller: str = "+447700900123", target: str | None = None):
        call = self.provider.call(number, target=target, display=display, caller=caller)
        self.calls[call.call_id] = call
        return {"call": call.call_id}

    def _call(self, call: str):
        return self.calls[call]

    def wait_ringing(self, call: str, timeout: float = 10.0):
        self._call(call).wait_ringing(timeout)
        return None

    def wait_answered(self, call: str, timeout: float = 10.0):
        self._call(call).wait_answered(timeout)
        return None

    def wait_final(self, call: str, timeout: float = 10.0):
        return self._call(call).wait_final(timeout)

    def wait_ended(self, call: str, timeout: float = 10.0):
        self._call(call).wait_ended(timeout)
        return None

    def hangup(self, call: str, timeout: float = 8.0):
        self._call(call).hangup(timeout)
        return None

    def log(self):
        return {"text": self.provider.log_text() if self.provider else ""}

    def shutdown(self):
        if self.provider:
            self.provider.close()
        return None


def main() -> None:
    worker = Worker()
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        rid = msg.get("id")
        try:
            result = getattr(worker, msg["cmd"])(**msg.get("args", {}))
            reply = {"id": rid, "ok": True, "result": result}
        except Exception as exc:  # reported to the test, which fails with it
            reply = {"id": rid, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if msg.get("cmd") == "shutdown":
            break


if __name__ == "__main__":
    main()
