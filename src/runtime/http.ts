// The Streamable HTTP transport (MCP 2025-11-25 basic/transports), stateless: every POST is
// answered on its own by a connection that serves just that request, so any process of a
// deployment can answer any request. One endpoint, node:http only, loaded only when asked for
// (node:http costs stdio servers ~3 ms of start-up otherwise).
import type { IncomingMessage, Server as NodeServer, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Catalog } from "./catalog.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import type { ClientInfo } from "./context.js";
import { Exchange, type ExchangeHost } from "./http-exchange.js";
import { checkOrigin, corsHeaders, type Guard, makeGuard, PREFLIGHT_HEADERS } from "./http-guard.js";
import { correlationId, ErrorCode, encodeError, PROTOCOL_VERSIONS, type RequestId } from "./protocol.js";
import { LOG_LEVELS } from "./scope.js";
import { reportToStderr } from "./serve.js";
import type { DispatchTable } from "./table.js";

export interface HttpOptions extends ConnectionOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (basic/transports: bind to localhost unless told otherwise). */
  host?: string;
  /** The MCP endpoint. Default `/mcp`. */
  path?: string;
  /** Origins a browser may call from; default: loopback origins only. `*` allows any. */
  allowedOrigins?: readonly string[];
  /** Requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest accepted request body in bytes (413 beyond it). Default 64 MiB. */
  maxMessageBytes?: number;
  /** Items per page of the list methods. Default 500. */
  pageSize?: number;
  report?: (message: string) => void;
  /**
   * A request pending this long (at least; at most twice as long) turns its response into an event
   * stream, if the client takes one, that carries a comment every interval: proxies and clients
   * that give up on a silent response keep waiting. Default 15 000; 0 for never.
   */
  keepAliveMs?: number;
  /** A notifications/cancelled for a request this process does not run (cluster workers relay it). */
  onForeignCancel?: (key: string, reason: unknown) => void;
}

export interface HttpServer {
  /** Where the endpoint is, e.g. `http://127.0.0.1:3000/mcp`. */
  readonly url: string;
  readonly address: AddressInfo;
  /** Resolves once the server stopped and every request was answered or abandoned. */
  readonly closed: Promise<void>;
  /** Graceful close: stop accepting, cancel what runs, answer it; a second call stops waiting. */
  close(reason?: string): void;
  /** Cancels a request of this process by its key (see `onForeignCancel`); false if unknown. */
  cancel(key: string, reason: unknown): boolean;
}

/** HTTP/1.1 clients that send no MCP-Protocol-Version are taken to speak 2025-03-26 (basic/transports). */
const ASSUMED_VERSION = "2025-03-26";
/** Methods that run user code: they take a slot of the concurrency limit. */
const GATED = new Set(["tools/call", "resources/read", "prompts/get"]);
/** Log levels set with logging/setLevel, remembered per session (in this process only). */
const MAX_SESSION_LEVELS = 10_000;
/** basic/transports: visible ASCII only; the length limit is ours. */
const SESSION_ID = /^[\x21-\x7e]{1,256}$/;

export async function serveHttp(table: DispatchTable, options: HttpOptions = {}): Promise<HttpServer> {
  const http = await import("node:http");
  const guard = await makeGuard(options);
  const transport = new HttpTransport(table, options, guard);
  const server = http.createServer((req, res) => transport.handle(req, res));
  transport.server = server;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: endpointUrl(address, transport.path),
    address,
    closed: transport.closed,
    close: (reason) => transport.close(reason),
    cancel: (key, reason) => transport.cancelByKey(key, reason),
  };
}

/** A URL a client on this machine can use: wildcard addresses are reached through loopback. */
export function endpointUrl(address: AddressInfo, path: string): string {
  let host = address.address;
  if (host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}${path}`;
}

class HttpTransport implements ExchangeHost {
  server: NodeServer | undefined = undefined;
  readonly path: string;
  readonly closed: Promise<void>;
  private resolveClosed: () => void = () => {};
  private readonly catalog: Catalog;
  private readonly report: (message: string) => void;
  private readonly maxBody: number;
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
  /** Keep-alive intervals so far; a live exchange notes the one it started in. */
  private tick = 0;
  private heartbeat: NodeJS.Timeout | undefined = undefined;
  private graceTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly table: DispatchTable,
    private readonly options: HttpOptions,
    private readonly guard: Guard,
  ) {
    this.path = options.path ?? "/mcp";
    this.catalog = new Catalog(table, Math.max(1, options.pageSize ?? 500));
    this.report = options.report ?? reportToStderr;
    this.maxBody = options.maxMessageBytes ?? 64 * 1024 * 1024;
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 100);
    this.maxQueued = Math.max(1, options.maxQueued ?? 1000);
    this.defaultLevel = LOG_LEVELS.indexOf(options.logLevel ?? "info");
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res);
    } catch (error) {
      const ref = correlationId();
      this.report(
        `HTTP request failed (ref ${ref}): ${error instanceof Error ? error.stack : String(error)}`,
      );
      if (!res.headersSent) reject(res, 500, ErrorCode.InternalError, `Internal error (ref ${ref})`);
      else res.destroy();
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    if ((query < 0 ? url : url.slice(0, query)) !== this.path)
      return reject(res, 404, ErrorCode.InvalidRequest, `Not found: the MCP endpoint is ${this.path}`);
    // DNS-rebinding protection (basic/transports "Security Warning"): a browser always sends Origin.
    const origin = req.headers.origin;
    if (origin !== undefined && !checkOrigin(this.guard, origin))
      return reject(res, 403, ErrorCode.InvalidRequest, `Forbidden: origin ${origin} is not allowed`);
    const cors = origin === undefined ? undefined : corsHeaders(origin);
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...cors, ...PREFLIGHT_HEADERS });
      return void res.end();
    }
    const denied = this.guard.authorize(req.headers.authorization);
    if (denied !== undefined)
      return reject(res, 401, ErrorCode.InvalidRequest, denied.message, { ...cors, ...denied.headers });
    if (req.method !== "POST") {
      // Stateless: no stream for server-initiated messages (GET) and no session to end (DELETE).
      const message = `Method not allowed: ${req.method} (this stateless endpoint takes POST)`;
      return reject(res, 405, ErrorCode.InvalidRequest, message, { ...cors, allow: "POST, OPTIONS" });
    }
    this.post(req, res, cors ?? {});
  }

  private post(req: IncomingMessage, res: ServerResponse, cors: OutgoingHttpHeaders): void {
    const headers = req.headers;
    const type = headers["content-type"];
    if (type === undefined || mediaType(type) !== "application/json") {
      const message = `Unsupported Media Type: Content-Type must be application/json, got ${type ?? "none"}`;
      return reject(res, 415, ErrorCode.InvalidRequest, message, cors);
    }
    const accept = (headers.accept ?? "*/*").toLowerCase();
    const any = accept.includes("*/*");
    const json = any || accept.includes("application/json") || accept.includes("application/*");
    const sse = any || accept.includes("text/event-stream") || accept.includes("text/*");
    if (!json && !sse) {
      const message = "Not Acceptable: Accept must include application/json or text/event-stream";
      return reject(res, 406, ErrorCode.InvalidRequest, message, cors);
    }
    const version = headers["mcp-protocol-version"] ?? ASSUMED_VERSION;
    if (typeof version !== "string" || !PROTOCOL_VERSIONS.includes(version)) {
      const message = `Bad Request: unsupported MCP-Protocol-Version ${String(version)} (supported: ${PROTOCOL_VERSIONS.join(", ")})`;
      return reject(res, 400, ErrorCode.InvalidRequest, message, cors);
    }
    const session = headers["mcp-session-id"];
    if (session !== undefined && (typeof session !== "string" || !SESSION_ID.test(session))) {
      const message = "Bad Request: Mcp-Session-Id must be 1 to 256 visible ASCII characters";
      return reject(res, 400, ErrorCode.InvalidRequest, message, cors);
    }
    readBody(req, res, this.maxBody, cors, (body) => {
      this.dispatch(res, body, version, session, json, sse, cors);
    });
  }

  private dispatch(
    res: ServerResponse,
    body: string,
    version: string,
    session: string | undefined,
    json: boolean,
    sse: boolean,
    cors: OutgoingHttpHeaders,
  ): void {
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
    if (typeof method === "string" && id === undefined) {
      // A notification (basic/transports: 202, no body). Only cancellation means anything here.
      if (method === "notifications/cancelled") this.cancelNotified(session, params);
      res.writeHead(202, cors);
      return void res.end();
    }
    if (typeof method !== "string" && id !== undefined && ("result" in message || "error" in message)) {
      res.writeHead(202, cors); // a response: this server sends no requests, so it answers nothing
      return void res.end();
    }
    const requestId = (typeof id === "string" || typeof id === "number" ? id : null) as RequestId;
    const gated = typeof method === "string" && GATED.has(method);
    if (gated && this.running >= this.maxConcurrency && this.waiting.length >= this.maxQueued) {
      const body = encodeError(requestId, ErrorCode.InternalError, "Server busy: too many requests waiting");
      res.writeHead(503, { ...cors, "content-type": "application/json", "retry-after": "1" });
      return void res.end(body);
    }
    const exchangeHeaders = method === "initialize" ? { ...cors, "mcp-session-id": newSessionId() } : cors;
    const exchange = new Exchange(
      this,
      res,
      requestId,
      typeof method === "string" ? method : "",
      body,
      version,
      session,
      json,
      sse,
      exchangeHeaders,
    );
    if (session !== undefined && requestId !== null) {
      const key = cancelKey(session, requestId);
      if (this.byKey.has(key)) {
        const why = `Invalid Request: id ${JSON.stringify(requestId)} is in use by a request in flight`;
        return reject(res, 400, ErrorCode.InvalidRequest, why, cors);
      }
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
    const connection = new Connection(this.table.server, this.catalog, exchange, this.report, this.options);
    exchange.connection = connection;
    const requests = connection.requests;
    if (exchange.method !== "initialize") connection.resume(this.client(exchange.version));
    if (exchange.session !== undefined)
      requests.logThreshold = this.levels.get(exchange.session) ?? this.defaultLevel;
    // The connection serves one request: once nothing is in flight, the exchange is over.
    requests.onInputWanted = () => {
      if (requests.inFlightCount === 0) exchange.settle();
    };
    requests.onIdleAfterClose = () => exchange.settle();
    try {
      connection.receive(exchange.body);
    } catch (error) {
      const ref = correlationId();
      this.report(
        `could not handle a message (ref ${ref}): ${error instanceof Error ? error.stack : String(error)}`,
      );
      exchange.send(encodeError(exchange.id, ErrorCode.InternalError, `Internal error (ref ${ref})`));
    }
    if (exchange.method === "logging/setLevel" && exchange.session !== undefined)
      this.rememberLevel(exchange.session, requests.logThreshold);
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
        this.startWaiting();
      }
    }
    if (this.closing && this.live.size === 0) this.finish();
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

  private startWaiting(): void {
    while (this.running < this.maxConcurrency && this.waiting.length > 0) {
      const next = this.waiting.shift() as Exchange;
      this.running++;
      this.run(next);
    }
  }

  private cancelNotified(session: string | undefined, params: unknown): void {
    // Without a session, request ids of different clients collide: only closing the request cancels.
    if (session === undefined || typeof params !== "object" || params === null) return;
    const { requestId, reason } = params as Record<string, unknown>;
    if (typeof requestId !== "string" && typeof requestId !== "number") return;
    const key = cancelKey(session, requestId);
    if (!this.cancelByKey(key, reason)) this.options.onForeignCancel?.(key, reason);
  }

  cancelByKey(key: string, reason: unknown): boolean {
    const exchange = this.byKey.get(key);
    if (exchange === undefined) return false;
    exchange.cancel(reason);
    return true;
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

  close(reason = "closed"): void {
    if (this.closing) {
      for (const exchange of this.live) exchange.connection?.requests.abandonAll(true);
      return;
    }
    this.closing = true;
    this.server?.close();
    this.server?.closeIdleConnections();
    for (const exchange of [...this.waiting]) {
      exchange.send(
        encodeError(
          exchange.id,
          ErrorCode.InternalError,
          `Not started: the server is shutting down (${reason})`,
        ),
      );
      exchange.settle();
    }
    for (const exchange of this.live) exchange.connection?.requests.close(reason);
    const graceMs = this.options.cancelGraceMs ?? 1000;
    this.graceTimer = setTimeout(() => {
      for (const exchange of this.live) exchange.connection?.requests.abandonAll(false);
    }, graceMs + 50);
    if (this.live.size === 0) this.finish();
  }

  private finish(): void {
    clearTimeout(this.graceTimer);
    clearInterval(this.heartbeat);
    const server = this.server;
    if (server === undefined || !server.listening) return this.resolveClosed();
    server.closeIdleConnections();
    server.once("close", () => this.resolveClosed());
  }
}

function cancelKey(session: string, id: RequestId): string {
  return `${session} ${typeof id === "number" ? id : JSON.stringify(id)}`;
}

function newSessionId(): string {
  return globalThis.crypto.randomUUID();
}

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(header: string): string {
  const semicolon = header.indexOf(";");
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** Reads the whole body as UTF-8, answering 413 once it passes `limit` bytes. */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  cors: OutgoingHttpHeaders,
  done: (body: string) => void,
): void {
  const tooLarge = (): void => {
    const message = `Payload Too Large: the message exceeds the ${limit}-byte limit`;
    // The rest of the body is read and dropped, so that the client gets to read this answer.
    reject(res, 413, ErrorCode.InvalidRequest, message, cors);
  };
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("error", () => {}); // the client went away mid-body: nothing to answer
  req.on("data", (chunk: Buffer) => {
    if (size > limit) return;
    size += chunk.length;
    if (size > limit) {
      chunks.length = 0;
      return tooLarge();
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > limit || res.destroyed) return;
    done(
      chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"),
    );
  });
}

/** An HTTP error with a JSON-RPC error body that has no id; never a stack trace. */
export function reject(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = encodeError(null, code, message);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
