// The Streamable HTTP transport (MCP 2025-11-25 basic/transports), stateless: one endpoint on
// node:http, loaded only when asked for (it costs stdio servers ~3 ms of start-up otherwise).
// This is the HTTP side: routing, Origin and token, methods, media types, protocol version,
// session id and body size; http-dispatch.ts serves the message.
import type { IncomingMessage, Server as NodeServer, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeUtf8 } from "./framing.js";
import { Dispatcher, type DispatchOptions } from "./http-dispatch.js";
import { reject } from "./http-exchange.js";
import { checkOrigin, corsHeaders, type Guard, makeGuard, PREFLIGHT_HEADERS } from "./http-guard.js";
import { correlationId, ErrorCode, PROTOCOL_VERSIONS } from "./protocol.js";
import { reportToStderr } from "./serve.js";
import type { DispatchTable } from "./table.js";

export interface HttpOptions extends DispatchOptions {
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
  report?: (message: string) => void;
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

/** HTTP clients that send no MCP-Protocol-Version are taken to speak 2025-03-26 (basic/transports). */
const ASSUMED_VERSION = "2025-03-26";
/** basic/transports: visible ASCII only; the length limit is ours. */
const SESSION_ID = /^[\x21-\x7e]{1,256}$/;

export async function serveHttp(table: DispatchTable, options: HttpOptions = {}): Promise<HttpServer> {
  const http = await import("node:http");
  const report = options.report ?? reportToStderr;
  const endpoint = new Endpoint(
    options,
    await makeGuard(options),
    new Dispatcher(table, options, report),
    report,
  );
  const server = http.createServer((req, res) => endpoint.handle(req, res));
  await new Promise<void>((resolve, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", () => {
      server.off("error", fail);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing = false;
  const closed = new Promise<void>((resolve) => server.once("close", resolve));
  return {
    url: endpointUrl(address, endpoint.path),
    address,
    closed,
    close(reason = "closed") {
      if (!closing) {
        closing = true;
        server.close();
        server.closeIdleConnections();
      }
      endpoint.dispatcher.close(reason, () => drain(server));
    },
    cancel: (key, reason) => endpoint.dispatcher.cancel(key, reason),
  };
}

/** How long a closed server waits for clients to read the last responses before it drops them. */
const DRAIN_PATIENCE_MS = 5000;

/**
 * Everything is answered: close keep-alive connections as their responses finish flushing (Node
 * keeps a connection whose response ends after close() alive), the rest after DRAIN_PATIENCE_MS.
 */
function drain(server: NodeServer): void {
  const poll = setInterval(() => server.closeIdleConnections(), 20);
  const giveUp = setTimeout(() => server.closeAllConnections(), DRAIN_PATIENCE_MS);
  server.closeIdleConnections();
  server.once("close", () => {
    clearInterval(poll);
    clearTimeout(giveUp);
  });
}

/** A URL a client on this machine can use: wildcard addresses are reached through loopback. */
export function endpointUrl(address: AddressInfo, path: string): string {
  let host = address.address;
  if (host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}${path}`;
}

class Endpoint {
  readonly path: string;
  private readonly maxBody: number;

  constructor(
    options: HttpOptions,
    private readonly guard: Guard,
    readonly dispatcher: Dispatcher,
    private readonly report: (message: string) => void,
  ) {
    this.path = options.path ?? "/mcp";
    this.maxBody = options.maxMessageBytes ?? 64 * 1024 * 1024;
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
      this.dispatcher.dispatch(res, body, { version, session, json, sse, cors });
    });
  }
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
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const body = decodeUtf8(bytes);
    if (body === undefined)
      return reject(res, 400, ErrorCode.ParseError, "Parse error: the body is not valid UTF-8", cors);
    done(body);
  });
}
