// Speaks the API: commands over the WebSocket (`{"id", "command", "request"}` answered by
// `{"id", "ok"}` or `{"id", "error"}`), events pushed on the same socket (`{"event"}`), and
// `POST /api/<command>` whenever the socket is not open, so the page works while it
// reconnects. The socket reconnects by itself with a growing, jittered delay.

import type { CommandName, RequestOf, ResponseOf } from "./commands";
import { ApiError } from "./errors";
import type { Event } from "./types";

export type ConnectionState =
  /** First connection attempt. */
  | "connecting"
  | "open"
  /** The socket dropped (or never opened); retrying after a delay. */
  | "reconnecting"
  /** `close()` was called. */
  | "closed";

/** The part of the browser's WebSocket the client uses (a fake stands in for tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface ClientOptions {
  /** Where the API lives, e.g. "http://127.0.0.1:8080" (no trailing `/api`). */
  baseUrl: string;
  socket?: SocketFactory;
  fetch?: typeof globalThis.fetch;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  /** 0..1; spreads reconnects of many pages apart. */
  random?: () => number;
  /** The login session's CSRF token (from another computer on the office network): sent
   * with every POST and when the socket opens. */
  csrfToken?: string | null;
  /** Called when the server says the login is needed (the session ended). */
  onLoginRequired?: () => void;
}

const OPEN = 1;
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 10_000, factor: 2 };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: ApiError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** How long to wait before reconnect attempt `attempt` (0-based): exponential, capped, jittered to 50–100 %. */
export function reconnectDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const raw = Math.min(backoff.maxMs, backoff.initialMs * Math.pow(backoff.factor, attempt));
  return Math.round(raw * (0.5 + 0.5 * random()));
}

/** The WebSocket URL for an API base URL: same host, `ws:`/`wss:`, path `/api/ws`; a
 * browser cannot send headers when opening a socket, so a CSRF token goes in the query. */
export function socketUrl(baseUrl: string, csrfToken?: string | null): string {
  const u = new URL(trimSlash(baseUrl) + "/api/ws");
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  if (csrfToken) u.searchParams.set("csrf", csrfToken);
  return u.toString();
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, "");
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly makeSocket: SocketFactory;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly timeoutMs: number;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly csrfToken: string | null;
  private readonly onLoginRequired: (() => void) | null;

  private ws: SocketLike | null = null;
  private nextId = 1;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(e: Event) => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private _state: ConnectionState = "connecting";

  constructor(opts: ClientOptions) {
    this.baseUrl = trimSlash(opts.baseUrl);
    this.makeSocket = opts.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.fetchFn = opts.fetch ?? ((...args) => globalThis.fetch(...args));
    this.timeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.csrfToken = opts.csrfToken ?? null;
    this.onLoginRequired = opts.onLoginRequired ?? null;
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Opens the socket (once); later drops reconnect by themselves until `close()`. */
  connect(): void {
    if (this._state === "closed" || this.ws) return;
    this.openSocket();
  }

  /** Runs a command; rejects with an `ApiError`. `timeoutMs` overrides the client's default. */
  call<C extends CommandName>(
    command: C,
    request: RequestOf<C>,
    opts: { timeoutMs?: number } = {},
  ): Promise<ResponseOf<C>> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const ws = this.ws;
    if (ws && ws.readyState === OPEN) {
      return this.callOverSocket(ws, command, request, timeoutMs) as Promise<ResponseOf<C>>;
    }
    return this.callOverHttp(command, request, timeoutMs) as Promise<ResponseOf<C>>;
  }

  /** Calls `fn` for every pushed event; returns the unsubscribe function. */
  onEvent(fn: (e: Event) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  /** Calls `fn` now with the current state and on every change. */
  onState(fn: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(fn);
    fn(this._state);
    return () => this.stateListeners.delete(fn);
  }

  close(): void {
    this.setState("closed");
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
    this.failPending("The connection to Switchboard was closed.");
  }

  // ----- socket ------------------------------------------------------------

  private openSocket(): void {
    let ws: SocketLike;
    try {
      ws = this.makeSocket(socketUrl(this.baseUrl, this.csrfToken));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState("open");
    };
    ws.onmessage = (ev) => this.handleMessage(ev.data);
    ws.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending("The connection to Switchboard dropped before it answered.");
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this._state === "closed") return;
    this.setState("reconnecting");
    const delay = reconnectDelay(this.attempt, this.backoff, this.random);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this._state !== "closed") this.openSocket();
    }, delay);
  }

  private handleMessage(data: unknown): void {
    if (typeof data !== "string") return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (!msg || typeof msg !== "object") return;
    const m = msg as Record<string, unknown>;
    if ("event" in m) {
      for (const fn of [...this.eventListeners]) {
        try {
          fn(m.event as Event);
        } catch (err) {
          console.error("event listener failed", err);
        }
      }
      return;
    }
    if (typeof m.id !== "number") return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if ("error" in m) p.reject(ApiError.fromBody(m.error));
    else p.resolve(m.ok);
  }

  private callOverSocket(ws: SocketLike, command: string, request: unknown, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError("timeout", "Switchboard did not answer in time. Try again."));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ id, command, request }));
      } catch {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new ApiError("network", "Could not send the request to Switchboard."));
      }
    });
  }

  private failPending(message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(new ApiError("network", message));
    }
  }

  private setState(s: ConnectionState): void {
    if (this._state === s) return;
    this._state = s;
    for (const fn of [...this.stateListeners]) fn(s);
  }

  // ----- HTTP fallback -------------------------------------------------------

  private async callOverHttp(command: string, request: unknown, timeoutMs: number): Promise<unknown> {
    const ctrl = typeof AbortController === "undefined" ? null : new AbortController();
    const timer = setTimeout(() => ctrl?.abort(), timeoutMs);
    let res: Response;
    try {
      res = await this.fetchFn(`${this.baseUrl}/api/${command}`, {
        method: "POST",
        headers: this.csrfToken
          ? { "content-type": "application/json", "x-csrf-token": this.csrfToken }
          : { "content-type": "application/json" },
        body: JSON.stringify(request ?? {}),
        signal: ctrl?.signal,
      });
    } catch {
      throw new ApiError(
        "network",
        "Can't reach Switchboard. Check that it is running on this computer.",
      );
    } finally {
      clearTimeout(timer);
    }
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 401) this.onLoginRequired?.();
    if (!res.ok) {
      const err = body && typeof body === "object" && "error" in body ? (body as { error: unknown }).error : body;
      throw ApiError.fromBody(err, res.status);
    }
    return body;
  }
}
