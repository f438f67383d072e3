"""`AdminPbx`: a `Pbx` whose admin API listens on a known port, and the dial-plan commands.

The trunk tests configure the PBX the way the owner's screens do: through the
HTTP API (`POST /api/<command>` with a JSON body). A dial plan change is in force
when its command answers, so a test calls right after saving. Extensions still come from the
CLI (as in the other end-to-end tests) because their passwords are needed.

The shapes follow `pbx::dialplan` (serde): a trunk is
    {"id": 0, "name": ..., "enabled": true, "host": ..., "port": ..., "transport": "udp",
     "outbound_proxy": null, "auth": {"mode": "registration", "username": ..., ...},
     "channels": 2, "codecs": ["PCMU"], "dtmf": "rfc4733", "from_user": null,
     "caller_id": null, "trust_pai": false, "overflow": null,
     "default_destination": {"kind": "hangup"}}
and a destination is {"kind": "extension", "target": "1001"}.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import net
from .pbx import Pbx


class ApiError(AssertionError):
    def __init__(self, command: str, status: int, body):
        self.command, self.status, self.body = command, status, body
        super().__init__(f"{command} → HTTP {status}: {json.dumps(body)[:2000]}")


def dest(kind: str, target=None) -> dict:
    """A destination: dest("extension", "1001"), dest("ring_group", "600"), dest("hangup")."""
    return {"kind": kind} if target is None else {"kind": kind, "target": target}


def registration_trunk(provider, name: str = "Provider", channels: int = 2, overflow: dict | None = None,
                       default: dict | None = None, password: str | None = None, expires: int = 300) -> dict:
    """A trunk that registers to the simulated `provider` with its credentials."""
    return _trunk(name, provider.host, provider.port, channels, overflow, default, {
        "mode": "registration", "username": provider.username,
        "password": provider.password if password is None else password,
        "auth_username": None, "contact_user": "", "expires": expires})


def ip_trunk(provider, name: str = "Provider", channels: int = 2, overflow: dict | None = None,
             default: dict | None = None, allowed: list[str] | None = None) -> dict:
    """A trunk that accepts calls from the provider's address only (IP authentication)."""
    return _trunk(name, provider.host, provider.port, channels, overflow, default, {
        "mode": "ip", "allowed": allowed if allowed is not None else [provider.addr]})


def _trunk(name, host, port, channels, overflow, default, auth) -> dict:
    return {"id": 0, "name": name, "enabled": True, "host": host, "port": port, "transport": "udp",
            "outbound_proxy": None, "auth": auth, "channels": channels, "codecs": ["PCMU", "PCMA"],
            "dtmf": "rfc4733", "from_user": None, "caller_id": None, "trust_pai": False,
            "overflow": overflow, "default_destination": default or dest("hangup")}


def route(trunk_ids: list[int], patterns: list[str], strip: int = 0, prepend: str = "", name: str = "Out") -> dict:
    """An outbound route: numbers matching `patterns` leave through `trunk_ids`, in order."""
    return {"id": 0, "name": name, "patterns": patterns, "strip": strip, "prepend": prepend, "trunks": trunk_ids}


def status_kind(status) -> tuple[str, dict]:
    """("registered", {"expires_in": 290}) from whichever way serde tagged a `TrunkStatus`."""
    if isinstance(status, str):
        return status.lower(), {}
    if isinstance(status, dict):
        for key in ("kind", "state", "status", "type"):
            if isinstance(status.get(key), str):
                return status[key].lower(), {k: v for k, v in status.items() if k != key}
        if len(status) == 1:
            key, value = next(iter(status.items()))
            return key.lower(), value if isinstance(value, dict) else {"value": value}
    return repr(status), {}


class AdminPbx(Pbx):
    def __init__(self, binary: Path, workdir: Path, realm: str | None = None):
        super().__init__(binary, workdir, **({"realm": realm} if realm else {}))
        self.http_port = net.free_port()

    @property
    def url(self) -> str:
        return f"http://{net.HOST}:{self.http_port}"

    def serve_args(self) -> list[str]:
        args = super().serve_args()
        i = args.index("--http")
        args[i + 1] = f"{net.HOST}:{self.http_port}"
        return args

    def wait_ready(self, timeout: float = 30.0) -> None:
        super().wait_ready(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.api("status")
                return
            except (OSError, ApiError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"the admin API at {self.url} did not answer within {timeout:g} s:\n"
                                         f"{self.log_tail()}") from None
                time.sleep(0.2)

    # ----- commands ------------------------------------------------------------

    def api(self, command: str, request: dict | None = None, timeout: float = 20.0):
        body = json.dumps(request or {}).encode()
        req = urllib.request.Request(f"{self.url}/api/{command}", data=body, method="POST",
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return json.loads(res.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode("utf-8", "replace")
            raise ApiError(command, err.code, payload) from None

    def save_trunk(self, trunk: dict) -> dict:
        """Saves a trunk; returns it as stored (with its id and generated contact user)."""
        res = self.api("save_trunk", trunk)
        saved = res.get("trunk", res) if isinstance(res, dict) else res
        if isinstance(saved, dict) and "id" in saved and "name" not in saved:
            saved = {**trunk, **saved}
        return saved

    def trunks(self) -> list[dict]:
        """list_trunks: each entry as the API gives it (configuration and live state)."""
        res = self.api("list_trunks")
        return res["trunks"] if isinstance(res, dict) and "trunks" in res else res

    def trunk_entry(self, trunk_id: int) -> dict:
        for entry in self.trunks():
            config = entry.get("trunk", entry.get("config", entry))
            if config.get("id") == trunk_id:
                return entry
        raise AssertionError(f"trunk {trunk_id} is not in list_trunks: {self.trunks()}")

    def trunk_config(self, trunk_id: int) -> dict:
        entry = self.trunk_entry(trunk_id)
        return entry.get("trunk", entry.get("config", entry))

    def trunk_state(self, trunk_id: int) -> dict:
        entry = self.trunk_entry(trunk_id)
        return entry.get("state", entry) if "trunk" in entry else entry

    def trunk_status(self, trunk_id: int) -> tuple[str, dict]:
        """("registered", {...}); ("none", {}) while the PBX has no state for it yet."""
        state = self.trunk_state(trunk_id)
        return status_kind(state.get("status")) if state else ("none", {})

    def wait_trunk_status(self, trunk_id: int, kind: str, timeout: float = 20.0) -> dict:
        """Waits until the trunk's live status is `kind` ("registered", "rejected", …)."""
        deadline = time.monotonic() + timeout
        while True:
            got, fields = self.trunk_status(trunk_id)
            if got == kind:
                return fields
            if time.monotonic() > deadline:
                raise AssertionError(f"trunk {trunk_id} status is {got} {fields}, not {kind}, after {timeout:g} s")
            time.sleep(0.25)

    def save_business_name(self, name: str, number: str, destination: dict, label: str | None = None,
                           trunk: int | None = None) -> dict:
        entry = {"id": 0, "name": name, "number": number, "label": label or "", "trunk": trunk,
                 "destination": destination}
        res = self.api("save_business_name", entry)
        return res.get("name", res)

    def save_ring_group(self, number: str, name: str, members: list[str], strategy: str = "all",
                        ring_seconds: int = 20, final: dict | None = None) -> dict:
        group = {"number": number, "name": name, "strategy": strategy,
                 "members": [{"number": m, "ring_seconds": ring_seconds} for m in members],
                 "final_destination": final}
        return self.api("save_ring_group", {"previous_number": None, **group})

    def save_schedule(self, name: str, time_zone: str, periods: list[dict], holidays: list[dict],
                      open_dest: dict, closed_dest: dict) -> dict:
        """Business hours; returns the schedule as saved (with its id)."""
        res = self.api("save_schedule", {"id": 0, "name": name, "time_zone": time_zone, "periods": periods,
                                         "holidays": holidays, "open": open_dest, "closed": closed_dest})
        return res.get("schedule", res)

    def save_outbound_routes(self, routes: list[dict]) -> dict:
        return self.api("save_outbound_routes", {"routes": routes})

    def set_outbound_permission(self, number: str, allowed: bool = True) -> dict:
        return self.api("set_outbound_permission", {"number": number, "allowed": allowed})

    def history(self, **filters) -> list[dict]:
        res = self.api("call_history", filters)
        return res["calls"]

    def wait_history(self, pred, timeout: float = 10.0, what: str = "a call record") -> dict:
        deadline = time.monotonic() + timeout
        while True:
            rows = self.history()
            for row in rows:
                if pred(row):
                    return row
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} in call_history within {timeout:g} s; records: {rows}")
            time.sleep(0.3)
