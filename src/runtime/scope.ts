// Cancellation regions: the handler of one request (RequestScope, in request-scope.ts) and each
// task it spawns (Scope). Scope implements Context. checkpoint() is a field read; the AbortController, the
// children set, the logger and the budget view are created only when a handler asks for them.
import type { Budget, ClientInfo, Context, Logger, SpawnOptions } from "./context.js";
import type { DeadlineScheduler, Timed, TimedList } from "./deadlines.js";
import { Cancelled } from "./outcome.js";
import type { RequestId } from "./protocol.js";
import type { RequestScope } from "./request-scope.js";

/** What a request needs from the connection that serves it. */
export interface RequestHost {
  readonly deadlines: DeadlineScheduler;
  readonly client: ClientInfo;
  /** How long a cancelled request may take to settle before it is answered and abandoned. */
  readonly cancelGraceMs: number;
  /** Index into LOG_LEVELS below which log notifications are dropped. */
  readonly logThreshold: number;
  /** A progress or log notification of `request`. */
  notify(line: string, request: RequestScope): void;
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
    const ownMs = options?.timeoutMs;
    const now = ownMs === undefined ? 0 : performance.now();
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
      else this.root.noteLateThrow("a child task", error, this.stop as Cancelled);
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
  try {
    return (
      typeof value === "object" && value !== null && typeof (value as PromiseLike<T>).then === "function"
    );
  } catch {
    return false; // a `then` getter that throws, or a revoked proxy: a value, which fails as a result
  }
}

function ignore(): void {}
