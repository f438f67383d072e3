import { describe, expect, it } from "vitest";
import { draftErrors, fromDraft, toDraft } from "./trunkform";
import { newTrunk } from "./trunks";

describe("trunk form", () => {
  it("round-trips a trunk through the form", () => {
    const t = { ...newTrunk(), id: 5, host: "sip.provider.example", port: 5080, outbound_proxy: "proxy.example:5060", caller_id: "+442071234567" };
    t.auth = { mode: "registration", username: "acme", password: " secret ", auth_username: "acme-auth", contact_user: "tk8f2", expires: 300 };
    expect(fromDraft(toDraft(t))).toEqual(t);
    // The server never sends a password back: empty on a saved trunk keeps it.
    const kept = fromDraft(toDraft({ ...t, auth: { ...t.auth, password: null } }));
    expect(kept.auth).toMatchObject({ mode: "registration", password: null });
    const fresh = toDraft({ ...newTrunk() });
    expect(fromDraft(fresh).auth).toMatchObject({ password: "", contact_user: null });
    const ip = { ...newTrunk(), auth: { mode: "ip" as const, allowed: ["203.0.113.5", "10.0.0.0/8"] } };
    expect(fromDraft(toDraft(ip))).toEqual(ip);
  });

  it("reads what was typed: empty means none, lists split, codecs upper case", () => {
    const d = toDraft(newTrunk());
    d.host = "  sip.example  ";
    d.port = "";
    d.mode = "ip";
    d.allowed = "203.0.113.5\n 198.51.100.0/24, sip.example ";
    d.codecs = "pcmu, pcma";
    d.from_user = "  ";
    const t = fromDraft(d);
    expect(t.host).toBe("sip.example");
    expect(t.port).toBeNull();
    expect(t.auth).toEqual({ mode: "ip", allowed: ["203.0.113.5", "198.51.100.0/24", "sip.example"] });
    expect(t.codecs).toEqual(["PCMU", "PCMA"]);
    expect(t.from_user).toBeNull();
  });

  it("refuses numbers that are not numbers before asking the server", () => {
    const d = toDraft(newTrunk());
    expect(draftErrors(d)).toEqual({});
    d.port = "50x";
    d.channels = "0";
    d.expires = "10";
    expect(Object.keys(draftErrors(d)).sort()).toEqual(["channels", "expires", "port"]);
    d.mode = "ip";
    expect(Object.keys(draftErrors(d)).sort()).toEqual(["channels", "port"]);
    d.port = "70000";
    expect(draftErrors(d).port).toMatch(/1 to 65535/);
  });
});
