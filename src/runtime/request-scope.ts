// The region of one request: its handler plus every task it spawned. Tracks what the handler
// produced, a child's failure, the budget and grace deadlines, and sends the request's progress
// and log notifications until it is answered or cancelled by the client.
import type { Logger } from "./context.js";
import { Cancelled, describeError, isCancellationEcho } from "./outcome.js";
import { encodeNotification, type RequestId } from "./protocol.js";
import { LOG_LEVELS, type RequestHost, type RequestKind, Scope } from "./scope.js";

/** The region of one request: its handler plus, through `live`, every task it spawned. */
export class RequestScope extends Scope {
  /** Unsettled tasks in the region, the handler included. */
  live = 1;
  started = false;
  /** Set once the host has been told to answer; nothing is sent for this request after it. */
  done = false;
  /** Cancellation reached the grace phase and the region did not settle in time. */
  abandoned = false;
  clientCancelled = false;
  /** What the handler returned or threw. */
  value: unknown = undefined;
  threw = false;
  /** The handler threw after its cancellation took effect: the throw is that cancellation's consequence. */
  threwCancelled = false;
  /** The first failure of a child task; it decides the outcome. */
  failure: unknown = undefined;
  hasFailure = false;
  /** Masked sections running anywhere in the region; they are never abandoned. */
  masks = 0;
  private inGrace = false;
  private lastProgress = Number.NEGATIVE_INFINITY;
  private loggerView: Logger | undefined = undefined;
  private whatText: string | undefined = undefined;

  constructor(
    readonly host: RequestHost,
    readonly id: RequestId,
    /** What to run and on what; the connection interprets these. */
    readonly kind: RequestKind,
    readonly entry: unknown,
    readonly input: unknown,
    /** The tool or prompt name, or the resource URI asked for. */
    readonly target: string,
    readonly progressToken: string | number | undefined,
    budgetMs: number,
    /** The budget is the entry's own `@timeout`, not the server's request timeout. */
    private readonly budgetFromEntry: boolean,
  ) {
    super(undefined, undefined, Number.POSITIVE_INFINITY, budgetMs);
  }

  /** Names the request in logs and errors, e.g. `tool "search"`. */
  get what(): string {
    if (this.whatText === undefined) {
      const noun = this.kind === "tool" ? "tool" : this.kind === "prompt" ? "prompt" : "resource";
      this.whatText = `${noun} ${JSON.stringify(this.target)}`;
    }
    return this.whatText;
  }

  requestBudgetLabel(): string {
    return this.budgetFromEntry
      ? `the @timeout budget of ${this.what} (${this.budgetMs} ms)`
      : `the server's request timeout (${this.budgetMs} ms)`;
  }

  /** The handler starts now: its budget starts too. */
  begin(): void {
    this.started = true;
    if (this.budgetMs === Number.POSITIVE_INFINITY) return;
    const now = performance.now();
    this.budgetEnd = now + this.budgetMs;
    this.host.deadlines.add(this, this.budgetMs, now);
  }

  /** Gives up on a region that did not settle in time; `late` says how it overran. */
  abandon(late = "was still running when the server stopped waiting for it"): void {
    if (this.done) return;
    this.abandoned = true;
    this.host.warn(`${this.what} (request ${JSON.stringify(this.id)}) ${late}; abandoned`);
    this.complete();
  }

  /** The handler returned or threw. */
  settleHandler(value: unknown, threw: boolean): void {
    if (this.settled) return;
    this.value = value;
    this.threw = threw;
    // Decided now: a cancellation that arrives while children drain does not recast an earlier throw.
    if (threw && this.delivered) {
      this.threwCancelled = true;
      this.noteLateThrow("its handler", value, this.stop as Cancelled);
    }
    this.closeTask();
    // Children left running were just cancelled; they get the grace period to drain.
    if (!this.done) this.startGrace(performance.now());
  }

  cancelBy(cause: Cancelled): void {
    if (this.done) return;
    if (cause.reason === "client") this.clientCancelled = true;
    this.requestCancel(cause);
    this.startGrace(performance.now());
  }

  override onDeadline(now: number): void {
    if (this.inGrace) {
      // A critical section is never cut short: wait for it, then give the region its grace again.
      if (this.masks > 0) return this.host.deadlines.add(this, this.host.cancelGraceMs, now);
      const after =
        this.stop === undefined ? "its handler returned" : `it was cancelled (${this.stop.reason})`;
      this.abandon(`left tasks running ${this.host.cancelGraceMs} ms after ${after}`);
      return;
    }
    this.requestCancel(new Cancelled("budget", `${this.budgetLabel} ran out`, this.budgetMs));
    this.startGrace(now);
  }

  private startGrace(now: number): void {
    if (this.inGrace || this.done) return;
    this.inGrace = true;
    this.host.deadlines.add(this, this.host.cancelGraceMs, now);
  }

  escalate(error: unknown): void {
    if (this.hasFailure || this.done) return;
    this.hasFailure = true;
    this.failure = error;
    this.requestCancel(new Cancelled("parent", "another task of this request failed"));
    this.startGrace(performance.now());
  }

  /** A task threw after its cancellation took effect: that is the cancellation, but may hide a bug. */
  noteLateThrow(task: string, error: unknown, cause: Cancelled): void {
    if (isCancellationEcho(error)) return;
    this.host.warn(
      `${this.what} (request ${JSON.stringify(this.id)}): ${task} threw after it was cancelled (${cause.reason}), ` +
        `which does not change the outcome: ${describeError(error)}`,
    );
  }

  taskEnded(): void {
    if (--this.live === 0) this.complete();
  }

  complete(): void {
    if (this.done) return;
    this.done = true;
    if (this.timedList !== null) this.host.deadlines.remove(this);
    this.host.finish(this);
  }

  /** Notifications stop once the request is answered or the client cancelled it. */
  private get silent(): boolean {
    return this.done || this.clientCancelled;
  }

  emitProgress(done: number, total: number | undefined, message: string | undefined): void {
    if (this.progressToken === undefined || this.silent || !(done > this.lastProgress)) return;
    if (!Number.isFinite(done)) return;
    this.lastProgress = done;
    const params: Record<string, unknown> = { progressToken: this.progressToken, progress: done };
    if (total !== undefined && Number.isFinite(total)) params.total = total;
    if (message !== undefined) params.message = message;
    this.host.notify(encodeNotification("notifications/progress", params), this);
  }

  emitLog(level: number, message: string, data: unknown): void {
    if (level < this.host.logThreshold || this.silent) return;
    let line: string;
    const params = {
      level: LOG_LEVELS[level],
      logger: this.what,
      data: data === undefined ? message : { message, data },
    };
    try {
      line = encodeNotification("notifications/message", params);
    } catch {
      line = encodeNotification("notifications/message", {
        ...params,
        data: `${message} [unserialisable data]`,
      });
    }
    this.host.notify(line, this);
  }

  logger(): Logger {
    this.loggerView ??= {
      debug: (message, data) => this.emitLog(0, message, data),
      info: (message, data) => this.emitLog(1, message, data),
      notice: (message, data) => this.emitLog(2, message, data),
      warning: (message, data) => this.emitLog(3, message, data),
      error: (message, data) => this.emitLog(4, message, data),
    };
    return this.loggerView;
  }
}
