// The MCP side of the HTTP transport: each POSTed message is served on a connection of its own,
// resumed at the request's protocol version, so that no request needs what an earlier one left
// in this process (stateless, MCP 2025-11-25 basic/transports). Also here: the concurrency limit
// across POSTs, notifications/cancelled by session and request id, log levels per session,
// keep-alives for slow requests, and the graceful close.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Catalog } from "./catalog.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import type { ClientInfo } from "./context.js";
import { DeadlineScheduler } from "./deadlines.js";
import { Exchange, type ExchangeHost, reject } from "./http-exchange.js";
import { correlationId, ErrorCode, encodeError, type RequestId } from "./protocol.js";
import { LOG_LEVELS } from "./scope.js";
import type { DispatchTable } from "./table.js";

export interface DispatchOptions extends ConnectionOptions {
  /** Items per page of the list methods. Default 500. */
  pageSize?: number;
  /**
   * A request pending this long (at least; at most twice as long) turns its response into an event
   * stream, if the client takes one, that carries a comment every interval: proxies and clients
   * that give up on a silent response keep waiting. Default 15 000; 0 for never.
   */
  keepAliveMs?: number;
  /** A notifications/cancelled for a request this process does not run (cluster workers relay it). */
  onForeignCancel?: (key: string, reason: unknown) => void;
}

/** What the HTTP side found out about a POST before its body. */
export interface Post {
  /** MCP-Protocol-Version, or what its absence implies. */
  readonly version: string;
  readonly session: string | undefined;
  /** The client accepts `application/json` and `text/event-stream` responses. */
  readonly json: boolean;
  readonly sse: boolean;
  readonly cors: OutgoingHttpHeaders;
}

/** Methods that run user code: they take a slot of the concurrency limit. */
const GATED = new Set(["tools/call", "resources/read", "prompts/get"]);
/** Log levels set with logging/setLevel, remembered per session (in this process only). */
const MAX_SESSION_LEVELS = 10_000;

export class Dispatcher implements ExchangeHost {
  private readonly catalog: Catalog;
  /**
   * One budget timer for every request of the process. A scheduler per connection (one per POST)
   * left each request's 60 s timer armed after it was answered: ~0.5 KB retained per request for a
   * minute, full GCs under load.
   */
  private readonly connectionOptions: DispatchOptions;
  private readonly maxConcurrency: number;
  private readonly maxQueued: number;
  private readonly defaultLevel: number;
  /** Requests with a session, by session and id, for notifications/cancelled. */
  private readonly byKey = new Map<string, Exchange>();
  private readonly live = new Set<Exchange>();
  private readonly waiting: Exchange[] = [];
  private running = 0;
  private readonly levels = new Map<string, number>();
  private readonly clients = new Map<string, ClientInfo>();
  private closing = false;
  private onIdle: () => void = () => {};
  /** Keep-alive intervals so far; a live exchange notes the one it started in. */
  private tick = 0;
  private heartbeat: NodeJS.Timeout | undefined = undefined;
  private graceTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly table: DispatchTable,
    private readonly options: DispatchOptions,
    private readonly report: (message: string) => void,
  ) {
    this.catalog = new Catalog(table, Math.max(1, options.pageSize ?? 500));
    this.connectionOptions = { ...options, deadlines: new DeadlineScheduler() };
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 100);
    this.maxQueued = Math.max(1, options.maxQueued ?? 1000);
    this.defaultLevel = LOG_LEVELS.indexOf(options.logLevel ?? "info");
  }

  /** Answers one POSTed message (a body that is JSON or not). */
  dispatch(res: ServerResponse, body: string, post: Post): void {
    const cors = post.cors;
    if (this.closing) {
      const headers = { ...cors, connection: "close", "retry-after": "1" };
      return reject(res, 503, ErrorCode.InternalError, "The server is shutting down", headers);
    }
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return reject(res, 400, ErrorCode.ParseError, "Parse error: the body is not valid JSON", cors);
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      const why = Array.isArray(message)
        ? "JSON-RPC batches are not supported (MCP 2025-06-18 removed them)"
        : "a JSON-RPC message must be an object";
      return reject(res, 400, ErrorCode.InvalidRequest, `Invalid Request: ${why}`, cors);
    }
    const { id, method, params } = message as Record<string, unknown>;
    // A response's id answers a request (or is null, answering an unreadable one); with any other
    // id the message is invalid (-32600 with id null, below), as over stdio.
    const answers = id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
    const isResponse = typeof method !== "string" && answers && ("result" in message || "error" in message);
    if ((typeof method === "string" && id === undefined) || isResponse) {
      // basic/transports: a notification or a response gets 202 and no body. This server sends no
      // requests, so a response answers nothing; of notifications only cancellation matters.
      if (method === "notifications/cancelled") this.cancelNotified(post.session, params);
      res.writeHead(202, cors);
      return void res.end();
    }
    const requestId = (typeof id === "string" || typeof id === "number" ? id : null) as RequestId;
    const gated = typeof method === "string" && GATED.has(method);
    if (gated && this.running >= this.maxConcurrency && this.waiting.length >= this.maxQueued) {
      const busy = encodeError(requestId, ErrorCode.InternalError, "Server busy: too many requests waiting");
      res.writeHead(503, { ...cors, "content-type": "application/json", "retry-after": "1" });
      return void res.end(busy);
    }
    const key =
      post.session === undefined || requestId === null ? undefined : cancelKey(post.session, requestId);
    if (key !== undefined && this.byKey.has(key)) {
      const why = `Invalid Request: id ${JSON.stringify(requestId)} is in use by a request in flight`;
      return reject(res, 400, ErrorCode.InvalidRequest, why, cors);
    }
    const headers =
      method === "initialize" ? { ...cors, "mcp-session-id": globalThis.crypto.randomUUID() } : cors;
    const exchange = new Exchange(
      this,
      res,
      requestId,
      typeof method === "string" ? method : "",
      body,
      post,
      headers,
    );
    if (key !== undefined) {
      exchange.key = key;
      this.byKey.set(key, exchange);
    }
    this.live.add(exchange);
    exchange.born = this.tick;
    if (this.heartbeat === undefined) this.startHeartbeat();
    if (!gated) return this.run(exchange);
    exchange.gated = true;
    if (this.running < this.maxConcurrency) {
      this.running++;
      return this.run(exchange);
    }
    this.waiting.push(exchange);
  }

  /** Serves the exchange's request on a connection of its own, resumed at the request's version. */
  private run(exchange: Exchange): void {
    const connection = new Connection(
      this.table.server,
      this.catalog,
      exchange,
      this.report,
      this.connectionOptions,
    );
    exchange.connection = connection;
    const requests = connection.requests;
    const session = exchange.post.session;
    if (exchange.method !== "initialize") connection.resume(this.client(exchange.post.version));
    if (session !== undefined) requests.logThreshold = this.levels.get(session) ?? this.defaultLevel;
    // The connection serves one request: once nothing is in flight, the exchange is over.
    requests.onInputWanted = () => {
      if (requests.inFlightCount === 0) exchange.settle();
    };
    requests.onIdleAfterClose = () => exchange.settle();
    try {
      connection.receive(exchange.body);
    } catch (error) {
      const ref = correlationId();
      const detail = error instanceof Error ? error.stack : String(error);
      this.report(`could not handle a message (ref ${ref}): ${detail}`);
      exchange.send(encodeError(exchange.id, ErrorCode.InternalError, `Internal error (ref ${ref})`));
    }
    if (exchange.method === "logging/setLevel" && session !== undefined)
      this.rememberLevel(session, requests.logThreshold);
    if (requests.inFlightCount === 0) exchange.settle();
  }

  /** ExchangeHost: the exchange's request is over. */
  settled(exchange: Exchange): void {
    if (exchange.key !== undefined && this.byKey.get(exchange.key) === exchange)
      this.byKey.delete(exchange.key);
    this.live.delete(exchange);
    if (exchange.gated) {
      exchange.gated = false;
      if (exchange.connection === undefined) {
        const at = this.waiting.indexOf(exchange);
        if (at >= 0) this.waiting.splice(at, 1);
      } else {
        this.running--;
        while (this.running < this.maxConcurrency && this.waiting.length > 0) {
          this.running++;
          this.run(this.waiting.shift() as Exchange);
        }
      }
    }
    if (this.closing && this.live.size === 0) this.idle();
  }

  private startHeartbeat(): void {
    const every = this.options.keepAliveMs ?? 15_000;
    if (every <= 0) return;
    this.heartbeat = setInterval(() => {
      if (this.live.size === 0) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        return;
      }
      this.tick++;
      for (const exchange of this.live) if (this.tick - exchange.born >= 2) exchange.keepAlive();
    }, every).unref();
  }

  private cancelNotified(session: string | undefined, params: unknown): void {
    // Without a session, request ids of different clients collide: only closing the request cancels.
    if (session === undefined || typeof params !== "object" || params === null) return;
    const { requestId, reason } = params as Record<string, unknown>;
    if (typeof requestId !== "string" && typeof requestId !== "number") return;
    const key = cancelKey(session, requestId);
    if (!this.cancel(key, reason)) this.options.onForeignCancel?.(key, reason);
  }

  /** Cancels a request of this process by its key; false if there is none. */
  cancel(key: string, reason: unknown): boolean {
    const exchange = this.byKey.get(key);
    exchange?.cancel(reason);
    return exchange !== undefined;
  }

  private client(version: string): ClientInfo {
    let client = this.clients.get(version);
    if (client === undefined) {
      const capabilities = Object.freeze({});
      client = Object.freeze({ name: "unknown", version: "unknown", protocolVersion: version, capabilities });
      this.clients.set(version, client);
    }
    return client;
  }

  private rememberLevel(session: string, level: number): void {
    this.levels.delete(session);
    this.levels.set(session, level);
    if (this.levels.size > MAX_SESSION_LEVELS) this.levels.delete(this.levels.keys().next().value as string);
  }

  /**
   * Stops taking requests, refuses the waiting ones and cancels the running ones, which get the
   * grace period; `onIdle` runs once all are answered. A second call stops waiting for them.
   */
  close(reason: string, onIdle: () => void): void {
    if (this.closing) {
      for (const exchange of this.live) exchange.connection?.requests.abandonAll(true);
      return;
    }
    this.closing = true;
    this.onIdle = onIdle;
    for (const exchange of [...this.waiting]) {
      const message = `Not started: the server is shutting down (${reason})`;
      exchange.send(encodeError(exchange.id, ErrorCode.InternalError, message));
      exchange.settle();
    }
    for (const exchange of this.live) exchange.connection?.requests.close(reason);
    const graceMs = this.options.cancelGraceMs ?? 1000;
    this.graceTimer = setTimeout(() => {
      for (const exchange of this.live) exchange.connection?.requests.abandonAll(false);
    }, graceMs + 50);
    if (this.live.size === 0) this.idle();
  }

  private idle(): void {
    clearTimeout(this.graceTimer);
    clearInterval(this.heartbeat);
    const onIdle = this.onIdle;
    this.onIdle = () => {};
    onIdle();
  }
}

function cancelKey(session: string, id: RequestId): string {
  return `${session} ${typeof id === "number" ? id : JSON.stringify(id)}`;
}
