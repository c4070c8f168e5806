// JSON-RPC 2.0 framing helpers and the MCP constants the runtime answers with.
// Responses are assembled as strings so that a result serialised once is never parsed again.

/**
 * Protocol revisions this runtime speaks, newest first (MCP handshake era). 2024-10-07 predates
 * the first published revision but the official SDK still offers it; it is served as 2024-11-05.
 */
export const PROTOCOL_VERSIONS: readonly string[] = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07",
];
export const LATEST_PROTOCOL_VERSION = "2025-11-25";

/** JSON-RPC error codes used on the wire (MCP 2025-11-25 basic/ and server/ sections). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** What the official SDK reports for a request that ran out of time. */
  RequestTimeout: -32001,
  /** MCP: resources/read for a URI the server does not have. */
  ResourceNotFound: -32002,
} as const;

export type RequestId = string | number;

/** Longest input line (bytes, without its newline) a server accepts unless configured otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** `structuredContent`, `outputSchema` and `title` exist since 2025-06-18. */
export function supportsStructuredOutput(protocolVersion: string): boolean {
  return protocolVersion >= "2025-06-18";
}

export function negotiateVersion(requested: unknown): string {
  return typeof requested === "string" && PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : LATEST_PROTOCOL_VERSION;
}

/**
 * The id as JSON. Not String(id): V8 keeps number-to-string conversions in a cache that lives in
 * the old generation, so every response's fresh id string would survive minor GCs and be
 * promoted; under load that turned into full mark-compacts and ~40 % more time per request.
 */
function encodeId(id: RequestId): string {
  return JSON.stringify(id);
}

/**
 * A client-supplied value for an error message: JSON, cut short. Never throws: JSON.parse reads
 * any depth, JSON.stringify does not, and a -32602 must not become a request left unanswered.
 */
export function brief(value: unknown, max = 200): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {}
  return clip(text ?? `a value of type ${typeof value}`, max);
}

/** A client-supplied name or URI for an error message: cut to `max` characters (the client sent the rest). */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A response whose result is already serialised JSON. */
export function encodeResult(id: RequestId, resultJson: string): string {
  return `{"jsonrpc":"2.0","id":${encodeId(id)},"result":${resultJson}}\n`;
}

export function encodeError(id: RequestId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return `{"jsonrpc":"2.0","id":${id === null ? "null" : encodeId(id)},"error":${JSON.stringify(error)}}\n`;
}

export function encodeNotification(method: string, params: unknown): string {
  return `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":${JSON.stringify(params)}}\n`;
}

/** The result of a tool call that produced one text block. */
export function textResultJson(text: string, isError: boolean): string {
  return `{"content":[{"type":"text","text":${JSON.stringify(text)}}]${isError ? ',"isError":true' : ""}}`;
}

/**
 * A short id that ties an error message to the stderr report with its details. Not a secret,
 * so Math.random is enough (node:crypto would add milliseconds to every cold start).
 */
export function correlationId(): string {
  return Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, "0");
}
