// createTestContext(): a real Context for unit-testing handlers without a server. It records
// progress and log notifications, and cancel() behaves as a client's notifications/cancelled.
import type { ClientInfo, Context, LogLevel } from "./context.js";
import { DeadlineScheduler } from "./deadlines.js";
import { Cancelled } from "./outcome.js";
import { LATEST_PROTOCOL_VERSION } from "./protocol.js";
import { RequestScope } from "./request-scope.js";
import { LOG_LEVELS, type RequestHost } from "./scope.js";

export interface TestContextOptions {
  requestId?: string | number;
  client?: Partial<ClientInfo>;
  /** The handler's budget in ms; unlimited by default. */
  timeoutMs?: number;
  /** Progress is recorded only with a token (as on the wire); default "test". Pass null for none. */
  progressToken?: string | number | null;
  /** Minimum level of recorded log messages; default "debug". */
  logLevel?: LogLevel;
  /** How long cancelled tasks may take to stop before close() gives up on them; default 1000. */
  cancelGraceMs?: number;
}

export interface RecordedProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface RecordedLog {
  level: LogLevel;
  data: unknown;
}

export interface TestContext extends Context {
  /** Cancels as a client would (notifications/cancelled). */
  cancel(reason?: string): void;
  readonly progressEvents: readonly RecordedProgress[];
  readonly logs: readonly RecordedLog[];
  /** Problems the runtime would print to stderr (e.g. tasks that ignored cancellation). */
  readonly warnings: readonly string[];
  /**
   * Ends the handler's part (as when the handler returns): unfinished children are cancelled,
   * and the promise resolves once every task settled. Rejects with the first child failure.
   */
  close(): Promise<void>;
}

class TestHost implements RequestHost {
  readonly deadlines = new DeadlineScheduler();
  readonly progressEvents: RecordedProgress[] = [];
  readonly logs: RecordedLog[] = [];
  readonly warnings: string[] = [];
  finished: (req: RequestScope) => void = () => {};

  constructor(
    readonly client: ClientInfo,
    readonly cancelGraceMs: number,
    readonly logThreshold: number,
  ) {}

  notify(line: string): void {
    const { method, params } = JSON.parse(line);
    if (method === "notifications/progress") {
      const { progressToken: _token, ...event } = params;
      this.progressEvents.push(event);
    } else {
      this.logs.push({ level: params.level, data: params.data });
    }
  }

  finish(req: RequestScope): void {
    this.finished(req);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** The context of the handler under test: a request scope named for the test. */
class TestScope extends RequestScope implements TestContext {
  private readonly allSettled: Promise<void>;

  constructor(
    private readonly testHost: TestHost,
    id: string | number,
    progressToken: string | number | undefined,
    budgetMs: number,
  ) {
    super(testHost, id, "tool", undefined, undefined, "test", progressToken, budgetMs, false);
    this.allSettled = new Promise<void>((resolve, reject) => {
      testHost.finished = (done) => (done.hasFailure ? reject(done.failure) : resolve());
    });
    this.allSettled.catch(() => {});
  }

  override get what(): string {
    return "the handler under test";
  }

  override requestBudgetLabel(): string {
    return `the test budget (${this.budgetMs} ms)`;
  }

  get progressEvents(): readonly RecordedProgress[] {
    return this.testHost.progressEvents;
  }

  get logs(): readonly RecordedLog[] {
    return this.testHost.logs;
  }

  get warnings(): readonly string[] {
    return this.testHost.warnings;
  }

  cancel(reason?: string): void {
    const why = reason ? `cancelled by the client: ${reason}` : "cancelled by the client";
    this.cancelBy(new Cancelled("client", why));
  }

  close(): Promise<void> {
    this.settleHandler(undefined, false);
    return this.allSettled;
  }
}

export function createTestContext(options: TestContextOptions = {}): TestContext {
  const client: ClientInfo = Object.freeze({
    name: "test-client",
    version: "0.0.0",
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    ...options.client,
  });
  const logLevel = LOG_LEVELS.indexOf(options.logLevel ?? "debug");
  const host = new TestHost(client, options.cancelGraceMs ?? 1000, logLevel);
  const timeout = options.timeoutMs;
  const budgetMs = timeout !== undefined && timeout > 0 ? timeout : Number.POSITIVE_INFINITY;
  const token = options.progressToken === undefined ? "test" : (options.progressToken ?? undefined);
  const ctx = new TestScope(host, options.requestId ?? 1, token, budgetMs);
  ctx.begin();
  return ctx;
}
