// The per-request context a handler receives (DESIGN §3 "Context"). Types only; the
// implementation is Scope in scope.ts.

export interface ClientInfo {
  readonly name: string;
  readonly version: string;
  /** The protocol revision negotiated at initialize. */
  readonly protocolVersion: string;
  readonly capabilities: Readonly<Record<string, unknown>>;
}

export interface Budget {
  /** The budget in milliseconds (Infinity when unlimited). */
  readonly timeoutMs: number;
  /** When it runs out, in `Date.now()` milliseconds (Infinity when unlimited). */
  readonly deadline: number;
  /** Which budget this is, as error messages name it, e.g. `tool "search" budget (@timeout 5000 ms)`. */
  readonly label: string;
  remainingMs(): number;
  readonly exhausted: boolean;
}

export type LogLevel = "debug" | "info" | "notice" | "warning" | "error" | "critical" | "alert" | "emergency";

/** Sends `notifications/message` to the client, filtered by `logging/setLevel`. */
export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  notice(message: string, data?: unknown): void;
  warning(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

export interface SpawnOptions {
  /** The child's own budget; it gets the tighter of this and its parent's. */
  timeoutMs?: number;
  /** Named in budget errors. */
  name?: string;
}

export interface Context {
  /** The JSON-RPC id of the request being served. */
  readonly requestId: string | number;
  readonly client: ClientInfo;
  /** Fires once the request is cancelled (client, budget, shutdown), except inside `masked()`. */
  readonly signal: AbortSignal;
  /** True once cancellation has taken effect for this context. */
  readonly cancelled: boolean;
  /** Throws `Cancelled` if the context is cancelled and not inside `masked()`. A field read. */
  checkpoint(): void;
  readonly budget: Budget;
  /**
   * Runs `fn` as a critical section: checkpoints do not throw and the signal does not fire
   * inside it; a cancellation that arrives meanwhile takes effect when it ends.
   */
  masked<T>(fn: () => T | PromiseLike<T>): Promise<T>;
  /**
   * Starts a child task in this request's region. The request answers only after every child
   * settled; unfinished children are cancelled when the handler ends. A child that fails
   * (throws anything but its parent's cancellation) fails the request.
   */
  spawn<T>(fn: (ctx: Context) => T | PromiseLike<T>, options?: SpawnOptions): Promise<T>;
  /** `notifications/progress`; a no-op unless the client sent a progressToken. Must increase. */
  progress(done: number, total?: number, message?: string): void;
  readonly log: Logger;
}
