// Maps the outcome of a settled request onto the wire (DESIGN §3 "Four-valued outcome"):
// ok → result; err → isError (tools) or a JSON-RPC error; cancelled by the client → nothing;
// cancelled by a budget → an error naming it; panicked → -32603 with a correlation id whose
// stack goes to stderr.
import { Cancelled, describeError, isOutcome, type Outcome, outcomeOfThrown } from "./outcome.js";
import { correlationId, ErrorCode, encodeError, encodeResult, textResultJson } from "./protocol.js";
import type { RequestScope } from "./request-scope.js";
import { promptResultJson, resourceResultJson, toolResultJson } from "./results.js";
import type { PromptEntry, ResourceEntry, ResourceTemplateEntry, ToolEntry } from "./table.js";

/** The response line for a settled request, or undefined when none may be sent. */
export function answer(
  req: RequestScope,
  structured: boolean,
  report: (message: string) => void,
  maxBytes = Number.POSITIVE_INFINITY,
): string | undefined {
  if (req.clientCancelled) return undefined;
  let line: string;
  try {
    // Inside the try: even classifying what a handler produced runs its code (a getter, a proxy).
    line = encodeOutcome(req, outcomeOf(req), structured, report);
  } catch (error) {
    line = encodeOutcome(req, { kind: "panicked", error }, structured, report);
  }
  const bytes = overLimit(line, maxBytes);
  return bytes === 0 ? line : tooLarge(req, bytes, maxBytes, report);
}

/** 0 when `line` fits in `maxBytes` of UTF-8, else its size in bytes (counted only when it may not fit). */
export function overLimit(line: string, maxBytes: number): number {
  if (line.length * 3 <= maxBytes) return 0;
  const bytes = Buffer.byteLength(line);
  return bytes <= maxBytes ? 0 : bytes;
}

/** A response longer than a client reads would end its session (the official SDK client closes on one). */
function tooLarge(
  req: RequestScope,
  bytes: number,
  maxBytes: number,
  report: (message: string) => void,
): string {
  const over = `${bytes} bytes, over the ${maxBytes}-byte limit of one message`;
  report(
    `${req.what} (request ${JSON.stringify(req.id)}): a response of ${over}, answered with an error instead`,
  );
  const message = `${capitalise(req.what)} produced a response of ${over} (the most the official MCP SDK client reads); return less, e.g. a page of it`;
  if (req.kind === "tool") return encodeResult(req.id, textResultJson(message, true));
  return encodeError(req.id, ErrorCode.InternalError, message, { bytes, maxBytes });
}

function outcomeOf(req: RequestScope): Outcome {
  if (req.hasFailure) return outcomeOfThrown(req.failure);
  if (!req.settled) {
    return {
      kind: "cancelled",
      cause: req.stop ?? new Cancelled("shutdown", "the server stopped waiting for it"),
    };
  }
  // A throw after cancellation took effect is the cancellation's consequence (an AbortError, say).
  if (req.threw)
    return req.threwCancelled && req.stop
      ? { kind: "cancelled", cause: req.stop }
      : outcomeOfThrown(req.value);
  return isOutcome(req.value) ? req.value : { kind: "ok", value: req.value };
}

function encodeOutcome(
  req: RequestScope,
  outcome: Outcome,
  structured: boolean,
  report: (message: string) => void,
): string {
  const id = req.id;
  const isTool = req.kind === "tool";
  switch (outcome.kind) {
    case "ok":
      return encodeResult(id, okResultJson(req, outcome.value, structured));
    case "err": {
      const error = outcome.error;
      if (!isTool) return encodeError(id, error.code ?? ErrorCode.InternalError, error.message, error.data);
      const json =
        error.content === undefined
          ? textResultJson(error.message, true)
          : JSON.stringify({ content: error.content, isError: true });
      return encodeResult(id, json);
    }
    case "cancelled": {
      const cause = outcome.cause;
      const message = `${capitalise(req.what)} stopped: ${cause.message}`;
      if (cause.reason !== "budget") return encodeError(id, ErrorCode.InternalError, message);
      if (isTool) return encodeResult(id, textResultJson(message, true));
      return encodeError(id, ErrorCode.RequestTimeout, message, { budgetMs: cause.budgetMs });
    }
    case "panicked": {
      const ref = correlationId();
      report(`panic ${ref} in ${req.what} (request ${JSON.stringify(id)}): ${describeError(outcome.error)}`);
      return encodeError(
        id,
        ErrorCode.InternalError,
        `Internal error in ${req.what} (ref ${ref}); see the server log`,
      );
    }
    default:
      return outcome satisfies never;
  }
}

function okResultJson(req: RequestScope, value: unknown, structured: boolean): string {
  switch (req.kind) {
    case "tool":
      return toolResultJson(value, req.entry as ToolEntry, structured);
    case "resource":
    case "template":
      return resourceResultJson(value, req.target, req.entry as ResourceEntry | ResourceTemplateEntry);
    case "prompt":
      return promptResultJson(value, (req.entry as PromptEntry).description);
    default:
      return req.kind satisfies never;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
