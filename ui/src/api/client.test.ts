import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient, reconnectDelay, socketUrl, type SocketLike } from "./client";
import { ApiError } from "./errors";

/** A socket the test drives: it records what the client sent and delivers what the test says. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Array<{ id: number; command: string; request: unknown }> = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {}

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

function setup(fetchImpl?: typeof fetch) {
  const sockets: FakeSocket[] = [];
  const client = new ApiClient({
    baseUrl: "http://127.0.0.1:8080/",
    socket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    fetch: fetchImpl ?? (vi.fn(async () => new Response("{}")) as unknown as typeof fetch),
    requestTimeoutMs: 1000,
    backoff: { initialMs: 100, maxMs: 1000, factor: 2 },
    random: () => 1,
  });
  client.connect();
  return { client, sockets, last: () => sockets[sockets.length - 1]! };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("socket URL", () => {
  it("uses ws: for http and wss: for https, at /api/ws", () => {
    expect(socketUrl("http://127.0.0.1:8080")).toBe("ws://127.0.0.1:8080/api/ws");
    expect(socketUrl("https://pbx.example/")).toBe("wss://pbx.example/api/ws");
    expect(socketUrl("http://192.0.2.2:8080", "ab12")).toBe("ws://192.0.2.2:8080/api/ws?csrf=ab12");
  });
});

describe("request/response matching", () => {
  it("resolves each request with the answer carrying its id, whatever the order", async () => {
    const { client, last } = setup();
    last().open();
    const a = client.call("list_extensions", {});
    const b = client.call("reset_password", { number: "1001" });
    const [sa, sb] = last().sent;
    expect(sa).toMatchObject({ command: "list_extensions", request: {} });
    expect(sb).toMatchObject({ command: "reset_password", request: { number: "1001" } });
    expect(sa!.id).not.toBe(sb!.id);

    last().receive({ id: sb!.id, ok: { password: "s3cret" } });
    last().receive({ id: sa!.id, ok: { extensions: [] } });
    await expect(b).resolves.toEqual({ password: "s3cret" });
    await expect(a).resolves.toEqual({ extensions: [] });
  });

  it("rejects with the API's message and field errors", async () => {
    const { client, last } = setup();
    last().open();
    const p = client.call("add_extension", { number: "1", name: "" });
    const { id } = last().sent[0]!;
    last().receive({ id, error: { message: "invalid extension", fields: { number: "must be 2 to 10 digits" } } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe("api");
    expect((err as ApiError).message).toBe("invalid extension");
    expect((err as ApiError).fields).toEqual({ number: "must be 2 to 10 digits" });
  });

  it("ignores answers to unknown ids and garbage", async () => {
    const { client, last } = setup();
    last().open();
    const p = client.call("status", {});
    last().receive({ id: 9999, ok: "not yours" });
    last().onmessage?.({ data: "not json" });
    last().receive({ id: last().sent[0]!.id, ok: { running: true } });
    await expect(p).resolves.toEqual({ running: true });
  });

  it("times out a request nobody answers", async () => {
    const { client, last } = setup();
    last().open();
    const p = client.call("status", {}).catch((e: unknown) => e);
    vi.advanceTimersByTime(1001);
    const err = (await p) as ApiError;
    expect(err.kind).toBe("timeout");
  });

  it("lets one call wait less than the default", async () => {
    const { client, last } = setup();
    last().open();
    const quick = client.call("status", {}, { timeoutMs: 100 }).catch((e: unknown) => e);
    const normal = client.call("status", {}).catch((e: unknown) => e);
    vi.advanceTimersByTime(101);
    expect(((await quick) as ApiError).kind).toBe("timeout");
    last().receive({ id: last().sent[1]!.id, ok: { running: true } });
    expect(await normal).toEqual({ running: true });
  });

  it("fails pending requests when the socket drops", async () => {
    const { client, last } = setup();
    last().open();
    const p = client.call("hang_up", { call_id: "x" }).catch((e: unknown) => e);
    last().drop();
    const err = (await p) as ApiError;
    expect(err.kind).toBe("network");
  });
});

describe("events", () => {
  it("delivers pushed events to subscribers until they unsubscribe", () => {
    const { client, last } = setup();
    last().open();
    const seen: unknown[] = [];
    const off = client.onEvent((e) => seen.push(e));
    last().receive({ event: { type: "call_ringing", call_id: "c1", caller: "1001", callee: "1002" } });
    off();
    last().receive({ event: { type: "call_ended", call_id: "c1", outcome: "cancelled" } });
    expect(seen).toEqual([{ type: "call_ringing", call_id: "c1", caller: "1001", callee: "1002" }]);
  });
});

describe("reconnecting", () => {
  it("reconnects with growing delays and reports the state", () => {
    const { client, sockets, last } = setup();
    const states: string[] = [];
    client.onState((s) => states.push(s));
    last().open();
    last().drop();
    expect(states).toEqual(["connecting", "open", "reconnecting"]);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    last().drop(); // never opened: next delay doubles
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    last().open();
    expect(states[states.length - 1]).toBe("open");
    last().drop(); // after a successful open the delay starts small again
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(4);
  });

  it("stops reconnecting after close()", () => {
    const { client, sockets, last } = setup();
    last().open();
    client.close();
    expect(last().closed).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe("closed");
  });

  it("caps and jitters the delay", () => {
    const b = { initialMs: 500, maxMs: 10_000, factor: 2 };
    expect(reconnectDelay(0, b, () => 1)).toBe(500);
    expect(reconnectDelay(3, b, () => 1)).toBe(4000);
    expect(reconnectDelay(20, b, () => 1)).toBe(10_000);
    expect(reconnectDelay(20, b, () => 0)).toBe(5000);
  });
});

describe("HTTP fallback", () => {
  it("posts to /api/<command> while the socket is not open", async () => {
    const fetchImpl = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ extensions: [] }), { status: 200 }),
    );
    const { client } = setup(fetchImpl as unknown as typeof fetch);
    await expect(client.call("list_extensions", {})).resolves.toEqual({ extensions: [] });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe("http://127.0.0.1:8080/api/list_extensions");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({});
  });

  it("turns a 4xx error body into field errors", async () => {
    const fetchImpl = vi.fn(
      async () =>
        new Response(JSON.stringify({ error: { message: "bad input", fields: { name: "must not be empty" } } }), {
          status: 422,
        }),
    );
    const { client } = setup(fetchImpl as unknown as typeof fetch);
    const err = (await client.call("edit_extension", { number: "1001", name: "" }).catch((e: unknown) => e)) as ApiError;
    expect(err.kind).toBe("api");
    expect(err.status).toBe(422);
    expect(err.fields).toEqual({ name: "must not be empty" });
  });

  it("says Switchboard cannot be reached when fetch fails", async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const { client } = setup(fetchImpl as unknown as typeof fetch);
    const err = (await client.call("status", {}).catch((e: unknown) => e)) as ApiError;
    expect(err.kind).toBe("network");
    expect(err.message).toMatch(/can't reach switchboard/i);
  });

  it("uses the socket, not HTTP, once it is open", async () => {
    const fetchImpl = vi.fn(async () => new Response("{}"));
    const { client, last } = setup(fetchImpl as unknown as typeof fetch);
    last().open();
    const p = client.call("status", {});
    last().receive({ id: last().sent[0]!.id, ok: { running: true } });
    await p;
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});

describe("a login session", () => {
  it("sends the CSRF token with every POST and asks for the login again on 401", async () => {
    const seen: Array<Record<string, string>> = [];
    const fetchImpl = vi.fn(async (_url: string, init?: RequestInit) => {
      seen.push({ ...(init?.headers as Record<string, string>) });
      return new Response(JSON.stringify({ error: { message: "log in first" } }), { status: 401 });
    }) as unknown as typeof fetch;
    const loginRequired = vi.fn();
    const client = new ApiClient({
      baseUrl: "http://192.0.2.2:8080",
      fetch: fetchImpl,
      csrfToken: "ab12",
      onLoginRequired: loginRequired,
    });
    await expect(client.call("status", {})).rejects.toMatchObject({ status: 401 });
    expect(seen[0]?.["x-csrf-token"]).toBe("ab12");
    expect(loginRequired).toHaveBeenCalledTimes(1);
  });
});
