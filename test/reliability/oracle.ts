// What the server must answer to one input line, written from the README's "Protocol behaviour"
// and the fuzz fixture's catalogue, independently of the runtime's code. The fuzzer compares
// every response with this.

/** "result", or the code of a JSON-RPC error. */
export type Outcome = "result" | number;

export type Expectation =
  /** Blank lines, notifications, responses: nothing comes back. */
  | { readonly kind: "none"; readonly cancels?: unknown }
  /** A line that cannot be read as a request: one error with id null. */
  | { readonly kind: "nullError"; readonly code: number }
  /** A request: one response with its id whose outcome is one of `allowed`. */
  | {
      readonly kind: "request";
      readonly id: string | number;
      readonly key: string;
      readonly allowed: ReadonlySet<Outcome>;
      /** Runs a handler, so it holds its id while in flight (a duplicate gets -32600, id null). */
      readonly runs: boolean;
      /** The result itself, where the oracle can tell: the response answers this request, no other. */
      readonly result?: unknown;
    };

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const RESOURCE_NOT_FOUND = -32002;

/** The fuzz fixture (fixtures/projects/fuzz) as a client sees it. */
const TOOLS = new Set(["add", "echo", "quote", "countNodes", "wait", "inspect", "pollution"]);
const PROMPTS = new Set(["greet", "intro"]);
const TEMPLATES = ["files://{dir}/{name}", "items://{kind}"];
const KINDS = new Set(["book", "film", "music"]);
const TONES = new Set(["warm", "formal"]);
const LEVELS = new Set(["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]);

/** Equal for ids the server cannot tell apart (it answers -0 as 0). */
export function idKey(id: string | number): string {
  return typeof id === "string" ? `s${id}` : `n${JSON.stringify(id)}`;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** One line of input, without its "\n"; `initialized`: after the handshake. */
export function expectLine(bytes: Uint8Array, maxBytes: number, initialized = true): Expectation {
  if (bytes.length > maxBytes) return { kind: "nullError", code: INVALID_REQUEST };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: "nullError", code: PARSE_ERROR };
  }
  if (text.endsWith("\r")) text = text.slice(0, -1);
  if (text.trim() === "") return { kind: "none" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "nullError", code: PARSE_ERROR };
  }
  return expectMessage(value, initialized);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A parsed JSON value. */
export function expectMessage(value: unknown, initialized = true): Expectation {
  // Batches were removed from MCP (2025-06-18): one error for the whole array.
  if (!isObject(value)) return { kind: "nullError", code: INVALID_REQUEST };
  const { id, method, jsonrpc, params } = value;
  const validId = typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
  if (typeof method !== "string") {
    const isResponse = (validId || id === null) && ("result" in value || "error" in value);
    if (isResponse) return { kind: "none" };
    return validId ? request(id, new Set([INVALID_REQUEST])) : { kind: "nullError", code: INVALID_REQUEST };
  }
  if (!("id" in value)) {
    const cancels =
      jsonrpc === "2.0" && method === "notifications/cancelled" && isObject(params)
        ? { target: params.requestId }
        : undefined;
    return cancels === undefined ? { kind: "none" } : { kind: "none", cancels: cancels.target };
  }
  if (!validId) return { kind: "nullError", code: INVALID_REQUEST };
  if (jsonrpc !== "2.0") return request(id, new Set([INVALID_REQUEST]));
  if (params !== undefined && !isObject(params)) return request(id, new Set([INVALID_REQUEST]));
  // Before initialize only ping is answered (an initialize would start the session: not sent then).
  if (!initialized && method === "initialize")
    throw new Error("the fuzzer sent initialize before the handshake");
  if (!initialized && method !== "ping") return request(id, new Set([INVALID_REQUEST]));
  return expectRequest(id, method, params ?? {});
}

function request(id: string | number, allowed: Set<Outcome>, runs = false, result?: unknown): Expectation {
  return { kind: "request", id, key: idKey(id), allowed, runs, ...(result === undefined ? {} : { result }) };
}

const text = (value: string) => ({ content: [{ type: "text", text: value }] });

/** The result of the fixture's add and echo for valid arguments (the README's return-value rules). */
function knownResult(name: string, args: Record<string, unknown>): unknown {
  const keys = Object.keys(args).sort().join();
  const { a, b } = args;
  if (name === "add" && keys === "a,b" && typeof a === "number" && typeof b === "number") {
    const sum = a + b;
    return text(Number.isFinite(sum) ? JSON.stringify(sum) : String(sum));
  }
  if (name === "echo" && keys === "text" && typeof args.text === "string") return text(args.text);
  return undefined;
}

/** A valid request object after initialize. */
function expectRequest(id: string | number, method: string, params: Record<string, unknown>): Expectation {
  const ok = (runs = false) => request(id, new Set(["result"]), runs);
  const error = (code: number) => request(id, new Set([code]));
  const own = (o: Record<string, unknown>, key: string) => (Object.hasOwn(o, key) ? o[key] : undefined);
  switch (method) {
    case "ping":
      return request(id, new Set(["result"]), false, {});
    case "initialize":
      return error(INVALID_REQUEST); // the session is initialized already
    case "tools/list":
    case "resources/list":
    case "resources/templates/list":
    case "prompts/list":
      // One page each: no cursor is valid.
      return own(params, "cursor") === undefined ? ok() : error(INVALID_PARAMS);
    case "tools/call": {
      const name = own(params, "name");
      if (typeof name !== "string" || !TOOLS.has(name)) return error(INVALID_PARAMS);
      const args = own(params, "arguments") ?? {};
      // Invalid arguments are an isError result; valid ones run the handler.
      if (!isObject(args)) return error(INVALID_PARAMS);
      return request(id, new Set(["result"]), true, knownResult(name, args));
    }
    case "resources/read":
      return expectRead(id, own(params, "uri"));
    case "prompts/get": {
      const name = own(params, "name");
      if (typeof name !== "string" || !PROMPTS.has(name)) return error(INVALID_PARAMS);
      const args = own(params, "arguments") ?? {};
      if (!isObject(args)) return error(INVALID_PARAMS);
      const keys = Object.keys(args);
      const valid =
        name === "intro"
          ? keys.length === 0
          : typeof args.name === "string" &&
            keys.every((k) => k === "name" || k === "tone") &&
            (!Object.hasOwn(args, "tone") || TONES.has(args.tone as string));
      return valid ? ok(true) : error(INVALID_PARAMS);
    }
    case "logging/setLevel":
      return LEVELS.has(own(params, "level") as string) ? ok() : error(INVALID_PARAMS);
    case "completion/complete": {
      const argument = own(params, "argument");
      const { ref } = params;
      const argOk =
        isObject(argument) && typeof argument.name === "string" && typeof argument.value === "string";
      const refOk =
        isObject(ref) &&
        ((ref.type === "ref/prompt" && typeof ref.name === "string" && PROMPTS.has(ref.name)) ||
          (ref.type === "ref/resource" && typeof ref.uri === "string" && TEMPLATES.includes(ref.uri)));
      return argOk && refOk ? ok() : error(INVALID_PARAMS);
    }
    default:
      return error(METHOD_NOT_FOUND);
  }
}

/** resources/read: the static resource, a template match (variables decoded once), or -32002. */
function expectRead(id: string | number, uri: unknown): Expectation {
  const outcome = (allowed: Outcome, runs: boolean) => request(id, new Set([allowed]), runs);
  if (typeof uri !== "string") return outcome(INVALID_PARAMS, false);
  if (uri === "config://app") return outcome("result", true);
  // RFC 6570 level 1 as the README describes it: a variable is one or more characters but / ? #.
  const files = /^files:\/\/([^/?#]+)\/([^/?#]+)$/u.exec(uri);
  const items = /^items:\/\/([^/?#]+)$/u.exec(uri);
  const variables = files?.slice(1) ?? items?.slice(1);
  if (variables === undefined) return outcome(RESOURCE_NOT_FOUND, false);
  const decoded = variables.map(decodeOnce);
  if (decoded.includes(undefined)) return outcome(INVALID_PARAMS, false);
  if (items !== null && !KINDS.has(decoded[0] as string)) return outcome(INVALID_PARAMS, false);
  return outcome("result", true);
}

/** Percent-decoding, once; undefined for a malformed escape or bytes that are not UTF-8. */
export function decodeOnce(text: string): string | undefined {
  const bytes: number[] = [];
  let out = "";
  const flush = (): boolean => {
    if (bytes.length === 0) return true;
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      return false;
    }
    bytes.length = 0;
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      if (!flush()) return undefined;
      out += text[i];
    }
  }
  return flush() ? out : undefined;
}
