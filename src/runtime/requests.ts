// The requests that run user code: the in-flight table, the concurrency limit and its queue,
// cancellation, answers, and the stop at shutdown. Implements RequestHost for their scopes.
import { answer, overLimit } from "./answer.js";
import type { ClientInfo } from "./context.js";
import { DeadlineScheduler } from "./deadlines.js";
import { Cancelled } from "./outcome.js";
import { ErrorCode, encodeError, LATEST_PROTOCOL_VERSION, type RequestId } from "./protocol.js";
import { RequestScope } from "./request-scope.js";
import { isThenable, LOG_LEVELS, type RequestHost, type RequestKind } from "./scope.js";
import type { ToolEntry } from "./table.js";

/** Input read on past a full queue before reading stops. */
const READ_AHEAD_BYTES = 1 << 20;

/**
 * The longest message the official TypeScript SDK client reads: it buffers at most 10 MiB, in pipe
 * reads of up to 64 KiB, and closes the session (ending the server) on a longer line.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024 - 64 * 1024;

/** Where a connection's messages go; `congested` means the peer is not reading. */
export interface Outbound {
  send(line: string): void;
  /** A notification that may be dropped while the peer is not reading. */
  sendDroppable(line: string): void;
  readonly congested: boolean;
}

export interface RequestOptions {
  /** Default budget of a handler; `@timeout` overrides it. 0 means none. Default 60 000. */
  requestTimeoutMs?: number;
  /** Handlers running at once; more requests wait in a queue. Default 100. */
  maxConcurrency?: number;
  /** Requests waiting for a slot; past it the server reads at most 1 MiB more, then pauses input. Default 1000. */
  maxQueued?: number;
  /** How long a cancelled request may take to stop before it is answered and abandoned. Default 1000. */
  cancelGraceMs?: number;
  /**
   * Longest response of a handler, in bytes; a longer one is replaced by an error that says so, and a
   * longer notification is dropped. Default DEFAULT_MAX_RESPONSE_BYTES; Infinity for none.
   */
  maxResponseBytes?: number;
  /**
   * The budget timer to use, when several connections live in one process (HTTP serves each POST
   * on a connection of its own). Default: one for this connection.
   */
  deadlines?: DeadlineScheduler;
}

export interface RequestStats {
  maxInFlight: number;
  maxQueued: number;
  abandoned: number;
}

export class Requests implements RequestHost {
  readonly deadlines: DeadlineScheduler;
  readonly cancelGraceMs: number;
  readonly stats: RequestStats = { maxInFlight: 0, maxQueued: 0, abandoned: 0 };
  // Session state the connection sets at initialize and logging/setLevel.
  client: ClientInfo = Object.freeze({
    name: "unknown",
    version: "unknown",
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: Object.freeze({}),
  });
  logThreshold = LOG_LEVELS.indexOf("info");
  structured = true;
  private closing = false;
  private running = 0;
  private readonly inFlight = new Map<RequestId, RequestScope>();
  private queue: (RequestScope | undefined)[] = [];
  private queueHead = 0;
  private readAhead = 0;
  private pumping = false;
  private pumpAgain = false;
  private readonly requestTimeoutMs: number;
  private readonly maxConcurrency: number;
  private readonly maxQueued: number;
  private readonly maxResponseBytes: number;
  /** Called when input is wanted again after `acceptsInput` was false. */
  onInputWanted: () => void = () => {};
  /** Called once after close() when nothing is in flight any more. */
  onIdleAfterClose: () => void = () => {};

  constructor(
    private readonly out: Outbound,
    private readonly report: (message: string) => void,
    options: RequestOptions = {},
  ) {
    const timeout = options.requestTimeoutMs ?? 60_000;
    this.requestTimeoutMs = timeout > 0 ? timeout : Number.POSITIVE_INFINITY;
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 100);
    this.maxQueued = Math.max(1, options.maxQueued ?? 1000);
    this.cancelGraceMs = options.cancelGraceMs ?? 1000;
    this.maxResponseBytes = options.maxResponseBytes || DEFAULT_MAX_RESPONSE_BYTES;
    this.deadlines = options.deadlines ?? new DeadlineScheduler();
  }

  /**
   * False while output is congested, or the queue is full and the input read since then passed
   * READ_AHEAD_BYTES: the transport should stop reading. Reading on a little past a full queue
   * lets cancellations and the end of input behind the queued requests through.
   */
  get acceptsInput(): boolean {
    return (
      !this.closing &&
      !this.out.congested &&
      (this.queue.length - this.queueHead < this.maxQueued || this.readAhead < READ_AHEAD_BYTES)
    );
  }

  /** Counts input that arrives while the queue is full. */
  noteInput(bytes: number): void {
    if (this.queue.length - this.queueHead >= this.maxQueued) this.readAhead += bytes;
    else this.readAhead = 0;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Registers a request that runs user code and starts it, or queues it behind the limit. */
  admit(
    id: RequestId,
    kind: RequestKind,
    entry: unknown,
    input: unknown,
    target: string,
    progressToken: string | number | undefined,
  ): void {
    if (this.inFlight.has(id)) {
      // Answered with id null: the id belongs to the request in flight, whose answer is still due.
      const message = `Invalid Request: id ${JSON.stringify(id)} is in use by a request in flight`;
      return this.out.send(encodeError(null, ErrorCode.InvalidRequest, message));
    }
    if (this.closing)
      return this.fail(id, ErrorCode.InternalError, "Not started: the server is shutting down");
    const own = (entry as { readonly timeoutMs?: number }).timeoutMs;
    const fromEntry = own !== undefined && own > 0;
    const budgetMs = fromEntry ? own : this.requestTimeoutMs;
    const req = new RequestScope(this, id, kind, entry, input, target, progressToken, budgetMs, fromEntry);
    this.inFlight.set(id, req);
    if (this.running < this.maxConcurrency && !this.out.congested && this.queueHead === this.queue.length) {
      this.start(req);
    } else {
      const queued = this.queue.push(req) - this.queueHead;
      if (queued > this.stats.maxQueued) this.stats.maxQueued = queued;
    }
  }

  private start(req: RequestScope): void {
    if (++this.running > this.stats.maxInFlight) this.stats.maxInFlight = this.running;
    req.begin();
    let value: unknown;
    try {
      value = invoke(req);
    } catch (error) {
      req.settleHandler(error, true);
      return;
    }
    if (!isThenable(value)) return req.settleHandler(value, false);
    try {
      value.then(
        (result) => req.settleHandler(result, false),
        (error: unknown) => req.settleHandler(error, true),
      );
    } catch (error) {
      req.settleHandler(error, true); // a thenable whose then() throws
    }
  }

  /** RequestHost: the request's region settled (or was abandoned). */
  finish(req: RequestScope): void {
    this.inFlight.delete(req.id);
    if (req.started) this.running--;
    if (req.abandoned) this.stats.abandoned++;
    const line = answer(req, this.structured, this.report, this.maxResponseBytes);
    if (line !== undefined) this.out.send(line);
    this.pump();
  }

  notify(line: string, req: RequestScope): void {
    const bytes = overLimit(line, this.maxResponseBytes);
    if (bytes === 0) this.out.sendDroppable(line);
    else
      this.report(
        `${req.what} (request ${JSON.stringify(req.id)}): a notification of ${bytes} bytes, over the ${this.maxResponseBytes}-byte limit of one message, was dropped`,
      );
  }

  warn(message: string): void {
    this.report(message);
  }

  /**
   * Starts queued requests while there is room, and asks for input again when it is wanted.
   * Not re-entered: a synchronous handler finishes inside start(), and its finish() only asks
   * the running loop to go round again (a recursion per queued request would overflow the stack).
   */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (
          this.running < this.maxConcurrency &&
          !this.out.congested &&
          this.queueHead < this.queue.length
        ) {
          const next = this.queue[this.queueHead];
          this.queue[this.queueHead++] = undefined;
          if (next !== undefined && !next.done && !this.closing) this.start(next);
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    if (this.closing) {
      if (this.inFlight.size === 0) {
        const idle = this.onIdleAfterClose;
        this.onIdleAfterClose = () => {};
        idle();
      }
    } else if (this.acceptsInput) {
      this.onInputWanted();
    }
  }

  /** Stops taking work: queued requests are refused, running ones cancelled (they get the grace period). */
  close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    for (const req of this.queue) {
      if (req === undefined || req.done) continue;
      this.fail(req.id, ErrorCode.InternalError, `Not started: the server is shutting down (${reason})`);
      req.clientCancelled = true; // answered above; finishing it must not answer again
      req.complete();
    }
    const cause = new Cancelled("shutdown", `the server is shutting down (${reason})`);
    for (const req of [...this.inFlight.values()]) req.cancelBy(cause);
    this.pump();
  }

  /**
   * Answers and forgets what is still in flight (the shutdown grace ran out). Requests inside a
   * masked section are waited for, unless `force` (a second signal).
   */
  abandonAll(force: boolean): void {
    for (const req of [...this.inFlight.values()]) if (force || req.masks === 0) req.abandon();
  }

  /** notifications/cancelled: a queued request is dropped, a running one cancelled; no answer either way. */
  cancel(id: RequestId, reason: unknown): void {
    const req = this.inFlight.get(id);
    if (req === undefined) return; // unknown or finished: ignored, as the spec says
    if (!req.started) {
      req.clientCancelled = true;
      req.complete();
      return;
    }
    const why =
      typeof reason === "string" && reason !== ""
        ? `cancelled by the client: ${reason}`
        : "cancelled by the client";
    req.cancelBy(new Cancelled("client", why));
  }

  private fail(id: RequestId, code: number, message: string): void {
    this.out.send(encodeError(id, code, message));
  }
}

function invoke(req: RequestScope): unknown {
  switch (req.kind) {
    case "tool":
      return (req.entry as ToolEntry).invoke(req, req.input);
    case "resource":
      return (req.entry as { invoke(ctx: RequestScope): unknown }).invoke(req);
    case "template":
    case "prompt":
      return (req.entry as { invoke(ctx: RequestScope, input: unknown): unknown }).invoke(req, req.input);
    default:
      return req.kind satisfies never;
  }
}
