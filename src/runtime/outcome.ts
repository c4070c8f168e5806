// The four-valued outcome of a handler (ok / err / cancelled / panicked) and the error types
// that produce it. Brands use Symbol.for so that two copies of the runtime still agree.
import type { Content } from "./content.js";

const TOOL_ERROR = Symbol.for("fastmcp-ts.ToolError");
const CANCELLED = Symbol.for("fastmcp-ts.Cancelled");
const OUTCOME = Symbol.for("fastmcp-ts.Outcome");

export interface ToolErrorOptions {
  /** JSON-RPC error code when a resource or prompt fails (tools answer with `isError: true`). */
  code?: number;
  /** Extra data for the JSON-RPC error of a resource or prompt. */
  data?: unknown;
  /** Content for the `isError` tool result instead of the message text. */
  content?: readonly Content[];
  cause?: unknown;
}

/** An expected failure the caller should see: `isError: true` for tools, a JSON-RPC error otherwise. */
export class ToolError extends Error {
  override name = "ToolError";
  readonly code: number | undefined;
  readonly data: unknown;
  readonly content: readonly Content[] | undefined;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.data = options.data;
    this.content = options.content;
    Object.defineProperty(this, TOOL_ERROR, { value: true });
  }
}

export function isToolError(value: unknown): value is ToolError {
  return hasBrand(value, TOOL_ERROR);
}

/** Never throws: a handler may throw or return anything, a revoked proxy included. */
function hasBrand(value: unknown, brand: symbol): boolean {
  if (typeof value !== "object" || value === null) return false;
  try {
    return (value as { [brand]?: unknown })[brand] === true;
  } catch {
    return false;
  }
}

/**
 * Why a context was cancelled: the client sent notifications/cancelled, a budget ran out,
 * the server is shutting down, or the enclosing task ended or failed.
 */
export type CancelReason = "client" | "budget" | "shutdown" | "parent";

/** Thrown by `ctx.checkpoint()` and used as `ctx.signal.reason` once a context is cancelled. */
export class Cancelled extends Error {
  override name = "Cancelled";

  constructor(
    readonly reason: CancelReason,
    message: string,
    /** For budget cancellations: the budget that ran out, in milliseconds. */
    readonly budgetMs?: number,
  ) {
    super(message);
    Object.defineProperty(this, CANCELLED, { value: true });
  }
}

export function isCancelled(value: unknown): value is Cancelled {
  return hasBrand(value, CANCELLED);
}

export type Outcome<T = unknown> =
  | { readonly kind: "ok"; readonly value: T }
  | { readonly kind: "err"; readonly error: ToolError }
  | { readonly kind: "cancelled"; readonly cause: Cancelled }
  | { readonly kind: "panicked"; readonly error: unknown };

function brand<O extends Outcome>(outcome: O): O {
  Object.defineProperty(outcome, OUTCOME, { value: true });
  return outcome;
}

/** Constructors for an explicit outcome; a handler may return one instead of throwing. */
export const Outcome = {
  ok<T>(value: T): Outcome<T> {
    return brand({ kind: "ok", value });
  },
  err(error: string | ToolError, options?: ToolErrorOptions): Outcome<never> {
    return brand({ kind: "err", error: typeof error === "string" ? new ToolError(error, options) : error });
  },
  cancelled(cause: Cancelled = new Cancelled("parent", "cancelled by the handler")): Outcome<never> {
    return brand({ kind: "cancelled", cause });
  },
  panicked(error: unknown): Outcome<never> {
    return brand({ kind: "panicked", error });
  },
};

export function isOutcome(value: unknown): value is Outcome {
  return hasBrand(value, OUTCOME);
}

/** Classifies what a handler threw. */
export function outcomeOfThrown(error: unknown): Outcome<never> {
  if (isToolError(error)) return { kind: "err", error };
  if (isCancelled(error)) return { kind: "cancelled", cause: error };
  return { kind: "panicked", error };
}

/** A cancellation, or the AbortError its signal caused: what a cancelled task is expected to throw. */
export function isCancellationEcho(error: unknown): boolean {
  try {
    return isCancelled(error) || (error instanceof Error && error.name === "AbortError");
  } catch {
    return false; // a revoked proxy
  }
}

/** Never throws, whatever was thrown: a report must not fail on the value it reports. */
export function describeError(error: unknown): string {
  for (const describe of DESCRIPTIONS) {
    try {
      const text = describe(error);
      if (text !== undefined) return text;
    } catch {
      // a throwing getter, toJSON or toString, or a revoked proxy: try the next way
    }
  }
  return `a thrown ${typeof error} that cannot be printed`;
}

const DESCRIPTIONS: readonly ((error: unknown) => string | undefined)[] = [
  (e) => (e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : undefined),
  (e) => (e instanceof Error ? `${e.name}: ${e.message}` : undefined), // its stack getter threw
  (e) => (JSON.stringify(e) === undefined ? undefined : `non-Error value thrown: ${JSON.stringify(e)}`),
  (e) => `non-Error value thrown: ${String(e)}`,
];
