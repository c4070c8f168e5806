// One POSTed request and its HTTP response (MCP 2025-11-25 basic/transports, "Sending Messages
// to the Server"): the Outbound of a connection that serves just this request. The response is
// committed lazily: a result that comes first leaves as one `application/json` body; a progress
// or log notification that comes first turns the response into a `text/event-stream` that
// carries the notifications and then the result.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Connection } from "./connection.js";
import type { Post } from "./http-dispatch.js";
import { encodeError, type RequestId } from "./protocol.js";
import type { Outbound } from "./requests.js";

/** Notifications beyond this many unsent bytes are dropped while the client is not reading. */
const DROPPABLE_BACKLOG_BYTES = 1 << 20;
/** An error response with no id (the message could not be read): the POST itself was bad. */
const NULL_ID_ERROR = '{"jsonrpc":"2.0","id":null,';

export const SSE_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  // nginx buffers proxied responses unless told otherwise; an event stream must flow.
  "x-accel-buffering": "no",
});

/** What an exchange needs from the transport that owns it. */
export interface ExchangeHost {
  /** The exchange is over: nothing runs for it any more and its response is complete (or gone). */
  settled(exchange: Exchange): void;
}

export class Exchange implements Outbound {
  /** A response is bounded by one request, so the connection never has to stop taking work. */
  readonly congested = false;
  connection: Connection | undefined = undefined;
  /** Registered for notifications/cancelled under this key (session and request id). */
  key: string | undefined = undefined;
  /** Holds a slot of the transport's concurrency limit. */
  gated = false;
  /** The client closed the connection before the response was complete. */
  gone = false;
  /** Notifications dropped because the client did not read them. */
  dropped = 0;
  /** The transport's keep-alive interval when the exchange started. */
  born = 0;
  private readonly json: boolean;
  private readonly sse: boolean;
  private streaming = false;
  private ended = false;
  private done = false;

  constructor(
    private readonly host: ExchangeHost,
    readonly res: ServerResponse,
    readonly id: RequestId,
    readonly method: string,
    readonly body: string,
    /** The request's protocol version, session and what the client accepts. */
    readonly post: Post,
    /** Sent with the response (CORS, a new session id). */
    readonly headers: OutgoingHttpHeaders,
  ) {
    this.json = post.json;
    this.sse = post.sse;
    res.on("close", () => {
      if (res.writableFinished || this.done) return;
      this.gone = true;
      this.cancel("the client closed the HTTP connection");
    });
  }

  /** The request's response (or an error answering it): it completes the HTTP response. */
  send(line: string): void {
    if (this.ended || this.gone) return;
    this.ended = true;
    // An error without an id refuses the POST itself: a 400 with a JSON body, as every refusal is,
    // also to a client that takes only event streams.
    const refusal = line.startsWith(NULL_ID_ERROR);
    if (this.streaming || !(this.json || refusal)) {
      this.stream();
      this.res.end(event(line));
    } else {
      const headers = { ...this.headers, "content-type": "application/json" };
      headers["content-length"] = Buffer.byteLength(line);
      this.res.writeHead(refusal ? 400 : 200, headers);
      this.res.end(line);
    }
  }

  /** A progress or log notification of the request: only an event stream can carry it. */
  sendDroppable(line: string): void {
    if (this.ended || this.gone || !this.sse) return;
    if (this.streaming && this.res.writableLength > DROPPABLE_BACKLOG_BYTES) {
      this.dropped++;
      return;
    }
    this.stream();
    this.res.write(event(line));
  }

  /** The request is taking a while: an SSE comment keeps proxies and the client waiting. */
  keepAlive(): void {
    if (this.ended || this.gone || !this.sse || this.connection === undefined) return;
    this.stream();
    this.res.write(": keep-alive\n\n");
  }

  /** Commits the response to an event stream (once). */
  private stream(): void {
    if (this.streaming) return;
    this.streaming = true;
    this.res.writeHead(200, { ...this.headers, ...SSE_HEADERS });
  }

  /**
   * Cancels the request as notifications/cancelled does: no response follows. A request that
   * has not started yet (waiting for a slot) is settled at once.
   */
  cancel(reason: unknown): void {
    if (this.done) return;
    const connection = this.connection;
    if (connection === undefined) this.settle();
    else connection.requests.cancel(this.id, reason);
  }

  /** Called once nothing runs for the request any more; ends a response that got no answer. */
  settle(): void {
    if (this.done) return;
    this.done = true;
    if (!this.ended && !this.gone) {
      // Cancelled by the client: no JSON-RPC response may follow (basic/utilities/cancellation).
      // An empty event stream ends the POST cleanly; a client that takes only JSON gets a 202.
      this.ended = true;
      if (this.streaming || this.sse) this.stream();
      else this.res.writeHead(202, this.headers);
      this.res.end();
    }
    this.host.settled(this);
  }
}

/** One SSE event carrying a JSON-RPC message (encoded lines end with a newline; JSON has no raw ones). */
function event(line: string): string {
  const json = line.endsWith("\n") ? line.slice(0, -1) : line;
  return `event: message\ndata: ${json}\n\n`;
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
  const length = Buffer.byteLength(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": length });
  res.end(body);
}
