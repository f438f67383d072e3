"""Just enough SIP to play a provider: parse and build messages, name-addr and digest helpers.

The simulated provider (provider.py) reads what the PBX sends with `parse` and
writes its own requests and responses with `request`/`response`. Parsing is
forgiving on purpose (compact header names, any case, folded spaces) because it
must read whatever the product under test writes; what it *checks* is decided by
the tests, not here.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field

# RFC 3261 §7.3.3: compact forms.
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported", "e": "content-encoding", "s": "subject"}


def branch() -> str:
    """RFC 3261 §8.1.1.7: a branch with the magic cookie."""
    return "z9hG4bK" + uuid.uuid4().hex[:16]


def tag() -> str:
    return uuid.uuid4().hex[:10]


@dataclass
class Message:
    """One SIP request or response. Headers keep their order; names are lower-case long forms."""

    method: str | None = None  # requests
    uri: str | None = None
    code: int | None = None  # responses
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return self.method is not None

    def get(self, name: str, default: str | None = None) -> str | None:
        name = COMPACT.get(name.lower(), name.lower())
        for k, v in self.headers:
            if k == name:
                return v
        return default

    def get_all(self, name: str) -> list[str]:
        name = COMPACT.get(name.lower(), name.lower())
        return [v for k, v in self.headers if k == name]

    @property
    def call_id(self) -> str:
        return self.get("call-id", "") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        raw = (self.get("cseq", "") or "").split()
        try:
            return int(raw[0]), raw[1].upper()
        except (IndexError, ValueError):
            return -1, ""

    @property
    def top_branch(self) -> str:
        via = (self.get_all("via") or [""])[0]
        return param(via, "branch") or ""

    def first_line(self) -> str:
        if self.is_request:
            return f"{self.method} {self.uri} SIP/2.0"
        return f"SIP/2.0 {self.code} {self.reason}"

    def encode(self) -> bytes:
        lines = [self.first_line()]
        for k, v in self.headers:
            if k != "content-length":
                lines.append(f"{_title(k)}: {v}")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    def __str__(self) -> str:
        return self.encode().decode("utf-8", "replace")


def _title(name: str) -> str:
    special = {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate",
               "p-asserted-identity": "P-Asserted-Identity"}
    return special.get(name, "-".join(p.capitalize() for p in name.split("-")))


def parse(data: bytes) -> Message | None:
    """Parses one datagram; None for anything that is not a SIP message (keep-alives, garbage)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    text = head.decode("utf-8", "replace")
    lines = text.split("\r\n")
    # RFC 3261 §7.3.1: a line starting with white space continues the previous header.
    unfolded: list[str] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        else:
            unfolded.append(line)
    msg = Message()
    first = lines[0].split(" ", 2)
    if len(first) < 2:
        return None
    if first[0] == "SIP/2.0":
        if not first[1].isdigit():
            return None
        msg.code = int(first[1])
        msg.reason = first[2] if len(first) > 2 else ""
    else:
        if len(first) != 3 or first[2] != "SIP/2.0":
            return None
        msg.method, msg.uri = first[0].upper(), first[1]
    for line in unfolded:
        name, colon, value = line.partition(":")
        if not colon:
            continue
        name = name.strip().lower()
        name = COMPACT.get(name, name)
        # Via and Contact may carry several values in one header line.
        if name in ("via",):
            for part in split_commas(value):
                msg.headers.append((name, part.strip()))
        else:
            msg.headers.append((name, value.strip()))
    length = msg.get("content-length")
    msg.body = body[:int(length)] if length and length.strip().isdigit() else body
    return msg


def split_commas(value: str) -> list[str]:
    """Splits a header value on commas outside quotes and angle brackets."""
    out, cur, quoted, angle = [], "", False, False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == "<" and not quoted:
            angle = True
        elif ch == ">" and not quoted:
            angle = False
        if ch == "," and not quoted and not angle:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def param(header: str, name: str) -> str | None:
    """A `;name=value` parameter of a header (outside the <uri>)."""
    rest = header.rsplit(">", 1)[-1] if "<" in header else header
    for part in rest.split(";")[1:]:
        k, _, v = part.partition("=")
        if k.strip().lower() == name.lower():
            return v.strip().strip('"')
    return None


@dataclass
class NameAddr:
    display: str
    uri: str

    def __str__(self) -> str:
        return f'"{self.display}" <{self.uri}>' if self.display else f"<{self.uri}>"


def name_addr(value: str) -> NameAddr:
    """`"Jane Doe" <sip:+44@host>;tag=x` → NameAddr("Jane Doe", "sip:+44@host")."""
    value = value.strip()
    m = re.match(r'^\s*(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^>]*)>', value)
    if m:
        display = m.group(1) if m.group(1) is not None else (m.group(2) or "").strip()
        return NameAddr(display.replace('\\"', '"'), m.group(3).strip())
    return NameAddr("", value.split(";", 1)[0].strip())


def uri_user(uri: str) -> str:
    """The user part of `sip:user@host;params`."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    return rest.split("@", 1)[0] if "@" in rest else ""


def uri_hostport(uri: str) -> tuple[str, int]:
    """Host and port of a SIP URI (port 5060 when absent); IPv4 literals only in these tests."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    rest = rest.split("@", 1)[-1].split(";", 1)[0].split("?", 1)[0]
    host, _, port = rest.partition(":")
    return host, int(port) if port.isdigit() else 5060


# ----- digest (RFC 7616 / RFC 2617) ---------------------------------------------

def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def auth_params(header: str) -> dict[str, str]:
    """Parameters of a `Digest k=v, k="v"` header, keys lower-case."""
    scheme, _, rest = header.strip().partition(" ")
    out = {"scheme": scheme}
    for part in split_commas(rest):
        k, _, v = part.strip().partition("=")
        v = v.strip()
        if v.startswith('"') and v.endswith('"') and len(v) >= 2:
            v = v[1:-1]
        out[k.strip().lower()] = v
    return out


def digest_response(user: str, realm: str, password: str, method: str, uri: str, nonce: str,
                    qop: str | None = None, nc: str = "", cnonce: str = "") -> str:
    ha1 = md5(f"{user}:{realm}:{password}")
    ha2 = md5(f"{method}:{uri}")
    if qop:
        return md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return md5(f"{ha1}:{nonce}:{ha2}")


def authorization(challenge: str, user: str, password: str, method: str, uri: str) -> str:
    """An Authorization value answering `challenge` (used to test the registrar itself)."""
    p = auth_params(challenge)
    qop = "auth" if "auth" in [q.strip() for q in p.get("qop", "").split(",")] else None
    cnonce, nc = uuid.uuid4().hex[:12], "00000001"
    resp = digest_response(user, p["realm"], password, method, uri, p["nonce"], qop, nc, cnonce)
    out = (f'Digest username="{user}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
           f'response="{resp}", algorithm=MD5')
    if "opaque" in p:
        out += f', opaque="{p["opaque"]}"'
    if qop:
        out += f", qop={qop}, nc={nc}, cnonce=\"{cnonce}\""
    return out


# ----- building --------------------------------------------------------------

def request(method: str, uri: str, headers: list[tuple[str, str]], body: bytes = b"") -> Message:
    return Message(method=method, uri=uri, headers=[(k.lower(), v) for k, v in headers], body=body)


REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 480: "Temporarily Unavailable",
           481: "Call/Transaction Does Not Exist", 486: "Busy Here", 487: "Request Terminated",
           500: "Server Internal Error", 503: "Service Unavailable"}


def response_to(req: Message, code: int, reason: str | None = None, to_tag: str | None = None,
                extra: list[tuple[str, str]] | None = None, body: bytes = b"") -> Message:
    """RFC 3261 §8.2.6.2: a response copying Via, From, To (adding a tag), Call-ID and CSeq."""
    headers = [("via", v) for v in req.get_all("via")]
    to = req.get("to", "") or ""
    if to_tag and param(to, "tag") is None:
        to = f"{to};tag={to_tag}"
    headers += [("from", req.get("from", "") or ""), ("to", to), ("call-id", req.call_id),
                ("cseq", req.get("cseq", "") or "")]
    headers += [(k.lower(), v) for k, v in (extra or [])]
    return Message(code=code, reason=reason or REASONS.get(code, "Unknown"), headers=headers, body=body)
