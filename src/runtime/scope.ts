// Cancellation regions: the handler of one request (RequestScope) and each task it spawns
// (Scope). Scope implements Context. checkpoint() is a field read; the AbortController, the
// children set, the logger and the budget view are created only when a handler asks for them.
import type { Budget, ClientInfo, Context, Logger, SpawnOptions } from "./context.js";
import type { DeadlineScheduler, Timed, TimedList } from "./deadlines.js";
import { Cancelled } from "./outcome.js";
import { encodeNotification, type RequestId } from "./protocol.js";

/** What a request needs from the connection that serves it. */
export interface RequestHost {
  readonly deadlines: DeadlineScheduler;
  readonly client: ClientInfo;
  /** How long a cancelled request may take to settle before it is answered and abandoned. */
  readonly cancelGraceMs: number;
  /** Index into LOG_LEVELS below which log notifications are dropped. */
  readonly logThreshold: number;
  notify(line: string): void;
  /** The request settled or was abandoned: answer it. Called once. */
  finish(request: RequestScope): void;
  warn(message: string): void;
}

export type RequestKind = "tool" | "resource" | "template" | "prompt";

export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

export class Scope implements Context, Timed {
  // Timed: links in the deadline scheduler.
  deadline = Number.POSITIVE_INFINITY;
  prevTimed: Timed | null = null;
  nextTimed: Timed | null = null;
  timedList: TimedList | null = null;

  readonly root: RequestScope;
  /** End of this scope's budget (performance.now() milliseconds). */
  budgetEnd: number;
  budgetMs: number;
  /** Set for a child with a budget of its own; others name their parent's or the request's. */
  private readonly ownLabel: string | undefined;
  /** Requested cancellation; it takes effect (is delivered) when no mask is active. */
  stop: Cancelled | undefined = undefined;
  delivered = false;
  maskDepth = 0;
  settled = false;
  controller: AbortController | undefined = undefined;
  children: Set<Scope> | undefined = undefined;
  /** Set when this scope's own budget (not an inherited one) ran out. */
  ownBudgetStop: Cancelled | undefined = undefined;
  private budgetView: Budget | undefined = undefined;

  constructor(
    root: RequestScope | undefined,
    readonly parent: Scope | undefined,
    budgetEnd: number,
    budgetMs: number,
    ownLabel?: string,
  ) {
    this.root = root ?? (this as unknown as RequestScope);
    this.budgetEnd = budgetEnd;
    this.budgetMs = budgetMs;
    this.ownLabel = ownLabel;
  }

  /** Which budget applies, as errors name it (built only when asked for). */
  get budgetLabel(): string {
    return this.ownLabel ?? this.parent?.budgetLabel ?? this.root.requestBudgetLabel();
  }

  get requestId(): RequestId {
    return this.root.id;
  }

  get client(): ClientInfo {
    return this.root.host.client;
  }

  get cancelled(): boolean {
    return this.stop !== undefined && this.maskDepth === 0;
  }

  checkpoint(): void {
    if (this.stop !== undefined && this.maskDepth === 0) throw this.stop;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = this.controller = new AbortController();
      if (this.delivered && this.maskDepth === 0) controller.abort(this.stop);
    }
    return controller.signal;
  }

  get budget(): Budget {
    this.budgetView ??= new BudgetView(this);
    return this.budgetView;
  }

  get log(): Logger {
    return this.root.logger();
  }

  progress(done: number, total?: number, message?: string): void {
    this.root.emitProgress(done, total, message);
  }

  async masked<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    this.maskDepth++;
    this.root.masks++;
    try {
      return await fn();
    } finally {
      this.root.masks--;
      if (--this.maskDepth === 0 && this.stop !== undefined) this.deliver();
    }
  }

  spawn<T>(fn: (ctx: Context) => T | PromiseLike<T>, options?: SpawnOptions): Promise<T> {
    const root = this.root;
    if (this.settled || root.done) {
      return Promise.reject(new Error("ctx.spawn() called after the task that owns the context ended"));
    }
    const now = performance.now();
    const ownMs = options?.timeoutMs;
    let child: Scope;
    if (ownMs !== undefined && ownMs >= 0 && now + ownMs < this.budgetEnd) {
      const task =
        options?.name === undefined ? "a child task" : `child task ${JSON.stringify(options.name)}`;
      child = new Scope(root, this, now + ownMs, ownMs, `the budget of ${task} (${ownMs} ms)`);
      root.host.deadlines.add(child, ownMs, now);
    } else {
      child = new Scope(root, this, this.budgetEnd, this.budgetMs);
    }
    this.children ??= new Set();
    this.children.add(child);
    root.live++;
    if (this.delivered && this.stop !== undefined) child.requestCancel(this.stop);
    let running: PromiseLike<T>;
    try {
      const value = fn(child);
      running = isThenable(value) ? value : Promise.resolve(value);
    } catch (error) {
      running = Promise.reject(error);
    }
    const result = Promise.resolve(running).then(
      (value) => {
        child.end(undefined, false);
        return value;
      },
      (error: unknown) => {
        child.end(error, true);
        throw error;
      },
    );
    // The region reports a child's failure itself; an un-awaited child must not crash the process.
    result.catch(ignore);
    return result;
  }

  /** Asks this scope to stop; takes effect now or when the active mask ends. */
  requestCancel(cause: Cancelled): void {
    if (this.stop !== undefined || this.settled) return;
    this.stop = cause;
    if (this.maskDepth === 0) this.deliver();
  }

  private deliver(): void {
    // Also reaches a signal first read inside a mask that began after delivery.
    this.controller?.abort(this.stop);
    if (this.delivered) return;
    this.delivered = true;
    if (this.children !== undefined)
      for (const child of this.children) child.requestCancel(this.stop as Cancelled);
  }

  /** The deadline of a child's own budget passed (RequestScope overrides this). */
  onDeadline(_now: number): void {
    this.ownBudgetStop = new Cancelled("budget", `${this.budgetLabel} ran out`, this.budgetMs);
    this.requestCancel(this.ownBudgetStop);
  }

  /**
   * A child task's function settled. A throw after its cancellation took effect is the
   * cancellation's consequence; it fails the request only when the child's own budget ran out.
   */
  private end(error: unknown, threw: boolean): void {
    this.parent?.children?.delete(this);
    if (threw) {
      if (!this.delivered) this.root.escalate(error);
      else if (this.stop === this.ownBudgetStop) this.root.escalate(this.ownBudgetStop);
    }
    this.closeTask();
  }

  /** This scope's function settled: stop its own deadline, cancel what it left running. */
  protected closeTask(): void {
    this.settled = true;
    if (this.timedList !== null && (this.root as Scope) !== this) this.root.host.deadlines.remove(this);
    const children = this.children;
    if (children !== undefined && children.size > 0) {
      const cause = new Cancelled("parent", "the task that spawned this one ended before it finished");
      for (const child of children) child.requestCancel(cause);
    }
    this.root.taskEnded();
  }
}

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
  /** The first failure of a child task; it decides the outcome. */
  failure: unknown = undefined;
  hasFailure = false;
  /** Masked sections running anywhere in the region; they are never abandoned. */
  masks = 0;
  private inGrace = false;
  private lastProgress = Number.NEGATIVE_INFINITY;
  private loggerView: Logger | undefined = undefined;

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
    const noun = this.kind === "tool" ? "tool" : this.kind === "prompt" ? "prompt" : "resource";
    return `${noun} ${JSON.stringify(this.target)}`;
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
    this.host.notify(encodeNotification("notifications/progress", params));
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
    this.host.notify(line);
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

class BudgetView implements Budget {
  constructor(private readonly scope: Scope) {}
  get timeoutMs(): number {
    return this.scope.budgetMs;
  }
  get deadline(): number {
    return performance.timeOrigin + this.scope.budgetEnd;
  }
  get label(): string {
    return this.scope.budgetLabel;
  }
  remainingMs(): number {
    return Math.max(0, this.scope.budgetEnd - performance.now());
  }
  get exhausted(): boolean {
    return performance.now() >= this.scope.budgetEnd;
  }
}

export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function ignore(): void {}
