// HTTP wire fuzzing: the stdio fuzzer's messages (arbitraries.ts), each POSTed as a body to a server
// built from fixtures/projects/fuzz and started with `--http --port 0`, plus the HTTP layer itself:
// methods, paths, Content-Type, Accept, MCP-Protocol-Version, Mcp-Session-Id and Origin headers,
// and, on raw sockets, chunked bodies, Content-Length that is too short or too long, connections
// closed mid-body or before the answer, pipelined requests and bytes that are no HTTP at all. The JSON-RPC answer of a body is the one
// oracle.ts gives for it as a line; the status is the README's table ("Serving over HTTP"). Each
// batch goes out concurrently on keep-alive connections and is followed by a normal tools/call.
// FUZZ_SEED and FUZZ_RUNS (batches) override the fixed seed and the CI count.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServerProcess, startHttp } from "../http/http-harness.js";
import { ID_JSON, PAD, type Piece, pieces } from "./arbitraries.js";
import { type BuiltFixture, buildFixture, type Message } from "./fixture.js";
import {
  type Expectation,
  expectMessage,
  INVALID_REQUEST,
  idKey,
  type Outcome,
  PARSE_ERROR,
} from "./oracle.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** The fixture's fastmcp.config.json: maxMessageBytes 256 KiB. */
const LIMIT = 256 * 1024;
const BATCH = { minLength: 200, maxLength: 300 };
const CONCURRENCY = 24;
const VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "2024-10-07"];
const SESSIONS = ["fuzz-session-a", "fuzz-session-b", "0c0e1c7a-2f35-4a8b-9d4a-3f0e5b6c7d8e"];
/** A stack frame, as `Error.stack` prints it. */
const STACK = /\n\s+at .*(\(|\s)(file:|node:|\/).*:\d+:\d+/;
const DUPLICATE = /^Invalid Request: id (.*) is in use by a request in flight$/s;

let fixture: BuiltFixture;
let server: HttpServerProcess;
let url: URL;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

beforeAll(async () => {
  fixture = await buildFixture("fuzz");
  const started = await startHttp(fixture.serverPath);
  server = started.process;
  url = new URL(started.url);
}, 120_000);

afterAll(async () => {
  agent.destroy();
  await server?.stop();
  fixture?.remove();
});

const alive = () => server.child.exitCode === null && server.child.signalCode === null;

// ---------------------------------------------------------------------------------------------
// What is sent

/** One HTTP request, as the fuzzer builds it. */
interface Post {
  readonly category: string;
  readonly method: string;
  readonly path: string;
  /** Header values; undefined: not sent. */
  readonly headers: Record<string, string | undefined>;
  readonly body: Buffer;
  /** How the body goes out: node:http, or a raw socket (chunked, lying Content-Length, cut). */
  readonly framing: "agent" | "chunked" | "short" | "long" | "abort" | "hangup" | "pipelined";
}

const GOOD_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

const validHeaders = fc.record({
  "content-type": fc.constantFrom("application/json", "application/json; charset=utf-8", "Application/JSON"),
  accept: fc.constantFrom(
    "application/json, text/event-stream",
    "application/json",
    "text/event-stream",
    "*/*",
    "application/json;q=0.9, text/event-stream;q=0.8",
  ),
  "mcp-protocol-version": maybe(fc.constantFrom(...VERSIONS)),
  "mcp-session-id": maybe(fc.constantFrom(...SESSIONS)),
});

const oddHeaders = fc.record({
  "content-type": fc.constantFrom(
    undefined,
    "application/json",
    "text/plain",
    "application/jsonx",
    "application/json-seq",
    "",
    "application/x-www-form-urlencoded",
    " application/json ; charset=latin1",
    "multipart/form-data; boundary=x",
  ),
  accept: fc.constantFrom(
    undefined,
    "application/json",
    "text/event-stream",
    "text/html",
    "image/png",
    "application/xml",
    "",
    "*/*",
    "text/*",
    "application/*",
    "TEXT/EVENT-STREAM",
  ),
  "mcp-protocol-version": fc.constantFrom(
    undefined,
    ...VERSIONS,
    "2025-11-26",
    "",
    "latest",
    "2025-06-18, 2025-03-26",
    " 2025-06-18",
  ),
  "mcp-session-id": fc.constantFrom(
    undefined,
    ...SESSIONS,
    "",
    "a b",
    "x".repeat(256),
    "x".repeat(257),
    "\u00e9t\u00e9",
    "\t",
    "__proto__",
  ),
  origin: fc.constantFrom(
    undefined,
    "http://localhost:3000",
    "https://127.0.0.1",
    "http://[::1]:8080",
    "HTTP://LOCALHOST",
    "http://evil.example",
    "null",
    "http://localhost.evil.example",
    "file://",
    "",
    "http://127.0.0.1.nip.io",
  ),
  authorization: fc.constantFrom(
    undefined,
    "Bearer x",
    "Basic Zm9vOmJhcg==",
    "",
    "Bearer fuzz-token",
    "bearer \t fuzz-token",
    "Bearer fuzz-token x",
    "Bearer fuzz-tokeN",
    "Bearerfuzz-token",
  ),
});

const METHODS = ["POST", "GET", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"];
const PATHS = ["/mcp", "/mcp?x=1", "/mcp?", "/mcp/", "/MCP", "/", "//mcp", "/mcp/../mcp", "/mcp%20", "/mcpx"];

/** The bearer token of the server under test (FASTMCP_HTTP_TOKEN), if it has one. */
const TOKEN = "fuzz-token";
let token: string | undefined;

/** The headers a post goes out with: a token server gets the token unless the post sets Authorization. */
function headersOf(post: Post): Record<string, string | undefined> {
  if (token === undefined || "authorization" in post.headers) return post.headers;
  return { ...post.headers, authorization: `Bearer ${token}` };
}

let nextId = 0;

/** The piece's text with fresh ids (and padding); pieces with several lines may become several bodies. */
function bodiesOf(piece: Piece, split: boolean): Buffer[] {
  let data = piece.data;
  if (typeof data !== "string") return [Buffer.from(data)];
  data = data.split(ID_JSON).join(JSON.stringify(`h${++nextId}`));
  if (piece.padTo !== undefined) {
    const pad = piece.padTo - (Buffer.byteLength(data) - PAD.length);
    data = data.replace(PAD, "x".repeat(Math.max(0, pad)));
  }
  if (!split || !data.includes("\n")) return [Buffer.from(data)];
  return data.split("\n").map((line) => Buffer.from(line));
}

const messagePosts = fc.tuple(pieces(LIMIT), fc.boolean(), validHeaders).map(([piece, split, headers]) =>
  bodiesOf(piece, split).map(
    (body): Post => ({
      category: piece.category,
      method: "POST",
      path: "/mcp",
      headers,
      body,
      framing: "agent",
    }),
  ),
);

/** Invalid UTF-8 inside a string of a valid request, where a lenient decoder would serve it. */
const invalidUtf8InString = fc
  .tuple(
    fc.constantFrom([0x80], [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]),
    fc.boolean(),
    validHeaders,
  )
  .map(([bad, inId, headers]): Post[] => {
    const [before, after] = inId
      ? [`{"jsonrpc":"2.0","id":"u${++nextId}-`, `","method":"ping"}`]
      : [
          `{"jsonrpc":"2.0","id":"u${++nextId}","method":"tools/call","params":{"name":"echo","arguments":{"text":"`,
          `"}}}`,
        ];
    const body = Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
    return [
      {
        category: "invalid UTF-8 in a string",
        method: "POST",
        path: "/mcp",
        headers,
        body,
        framing: "agent",
      },
    ];
  });

/** Response-shaped messages whose id is no id (README: -32600 with id null, as over stdio). */
const badIdResponses = fc
  .tuple(
    fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== "string" && typeof v !== "number" && v !== null),
    fc.boolean(),
    validHeaders,
  )
  .map(([id, ok, headers]): Post[] => {
    const body = Buffer.from(
      JSON.stringify({ jsonrpc: "2.0", id, ...(ok ? { result: {} } : { error: { code: 1, message: "x" } }) }),
    );
    return [
      {
        category: "responses with unusable ids",
        method: "POST",
        path: "/mcp",
        headers,
        body,
        framing: "agent",
      },
    ];
  });

/** A call that takes a few milliseconds, so that a hang-up or a pipelined request meets it running. */
const SLOW = () =>
  Buffer.from(
    JSON.stringify({
      jsonrpc: "2.0",
      id: `h${++nextId}`,
      method: "tools/call",
      params: { name: "wait", arguments: { ms: nextId % 6 } },
    }),
  );

const PING = () => Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: `h${++nextId}`, method: "ping" }));

const headerPosts = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant("POST") },
      { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant("/mcp") },
      { weight: 1, arbitrary: fc.constantFrom(...PATHS) },
    ),
    oddHeaders,
    fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: pieces(LIMIT) }),
  )
  .map(([method, path, headers, piece]): Post[] => [
    {
      category: "HTTP headers, methods, paths",
      method,
      path,
      headers,
      body: piece === undefined ? PING() : (bodiesOf(piece, false)[0] as Buffer),
      framing: "agent",
    },
  ]);

const rawPosts = fc
  .tuple(
    fc.constantFrom<Post["framing"]>("chunked", "short", "long", "abort", "hangup", "pipelined"),
    fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: pieces(LIMIT) }),
    maybe(fc.constantFrom(...SESSIONS)),
  )
  .map(([framing, piece, session]): Post[] => [
    {
      category: `raw socket: ${framing}`,
      method: "POST",
      path: "/mcp",
      // Pipelined copies share their id: with a session the later ones could meet the duplicate-id rule.
      headers: { ...GOOD_HEADERS, "mcp-session-id": framing === "pipelined" ? undefined : session },
      body: piece === undefined ? SLOW() : (bodiesOf(piece, false)[0] as Buffer),
      framing,
    },
  ]);

/** Bytes that are not a valid HTTP request (each on a connection of its own). */
const garbage = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)),
  fc
    .constantFrom(
      "GET /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST /mcp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
      "POST /mcp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST /mcp HTTP/9.9\r\nHost: x\r\n\r\n",
      "POST /mcp\r\n\r\n",
      `POST /mcp HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      "FOO /mcp HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "POST /mcp HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n",
    )
    .map((s) => Buffer.from(s, "latin1")),
);

const garbagePosts = garbage.map((body): Post[] => [
  { category: "raw socket: not HTTP", method: "", path: "", headers: {}, body, framing: "abort" },
]);

const posts = fc
  .array(
    fc.oneof(
      { weight: 16, arbitrary: messagePosts },
      { weight: 1, arbitrary: invalidUtf8InString },
      { weight: 1, arbitrary: badIdResponses },
      { weight: 4, arbitrary: headerPosts },
      { weight: 1, arbitrary: rawPosts },
      { weight: 1, arbitrary: garbagePosts },
    ),
    BATCH,
  )
  .map((groups) => groups.flat());

// ---------------------------------------------------------------------------------------------
// What each gets (README "Serving over HTTP" and "Protocol behaviour")

type Expected =
  /** A refusal before the body: this status, a JSON-RPC error with id null (or nothing, for 204/HEAD). */
  | { kind: "status"; status: number; code?: number }
  /** The body's message, as oracle.ts says. */
  | { kind: "message"; expect: Expectation; json: boolean; sse: boolean; session?: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function originAllowed(origin: string): boolean {
  try {
    return LOOPBACK.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function expected(post: Post, body: Buffer = post.body): Expected {
  // Whitespace around a field value is not part of it (RFC 9110, 5.5).
  const h = Object.fromEntries(Object.entries(headersOf(post)).map(([k, v]) => [k, v?.trim()]));
  const path = post.path.split("?")[0];
  if (path !== "/mcp") return { kind: "status", status: 404, code: INVALID_REQUEST };
  if (h.origin !== undefined && !originAllowed(h.origin))
    return { kind: "status", status: 403, code: INVALID_REQUEST };
  if (post.method === "OPTIONS") return { kind: "status", status: 204 };
  if (token !== undefined && /^Bearer[ \t]+(\S+)$/i.exec(h.authorization ?? "")?.[1] !== token)
    return { kind: "status", status: 401, code: INVALID_REQUEST };
  if (post.method !== "POST") return { kind: "status", status: 405, code: INVALID_REQUEST };
  const type = h["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") return { kind: "status", status: 415, code: INVALID_REQUEST };
  const accept = (h.accept ?? "*/*").toLowerCase();
  const any = accept.includes("*/*");
  const json = any || accept.includes("application/json") || accept.includes("application/*");
  const sse = any || accept.includes("text/event-stream") || accept.includes("text/*");
  if (!json && !sse) return { kind: "status", status: 406, code: INVALID_REQUEST };
  const version = h["mcp-protocol-version"];
  if (version !== undefined && !VERSIONS.includes(version))
    return { kind: "status", status: 400, code: INVALID_REQUEST };
  const session = h["mcp-session-id"];
  if (session !== undefined && !/^[\x21-\x7e]{1,256}$/.test(session))
    return { kind: "status", status: 400, code: INVALID_REQUEST };
  if (body.length > LIMIT) return { kind: "status", status: 413, code: INVALID_REQUEST };
  return {
    kind: "message",
    expect: expectBody(body),
    json,
    sse,
    ...(session === undefined ? {} : { session }),
  };
}

const isRecord = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);

/** One POST body: one JSON-RPC message (no lines: a body with two messages is not JSON). */
function expectBody(bytes: Buffer): Expectation {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return { kind: "nullError", code: PARSE_ERROR };
  }
  const e = expectMessage(value);
  // Stateless: every POST is part of an initialized session, and initialize is answered anew.
  const m = value as Record<string, unknown>;
  if (
    e.kind === "request" &&
    m.method === "initialize" &&
    m.jsonrpc === "2.0" &&
    (m.params === undefined || isRecord(m.params))
  )
    return { ...e, allowed: new Set<Outcome>(["result", -32602]) };
  return e;
}

// ---------------------------------------------------------------------------------------------
// Sending

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(post: Post): Promise<Got> {
  return new Promise((resolve, reject) => {
    // Content-Length always: node:http sends a GET's or OPTIONS's body unframed otherwise.
    const headers: Record<string, string> = { host: url.host, "content-length": String(post.body.length) };
    for (const [name, value] of Object.entries(headersOf(post)))
      if (value !== undefined) headers[name] = value;
    const req = request(
      { agent, hostname: url.hostname, port: url.port, method: post.method, path: post.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(post.body);
  });
}

/** A raw exchange on a fresh socket: everything the server sent until it closed, and whether it did. */
function sendRaw(
  bytes: Buffer,
  end: "half-close" | "destroy" | "wait",
): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let finished = false;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), 10_000);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.write(bytes, () => {
      if (end === "half-close") socket.end();
      else if (end === "destroy") finish(true);
    });
  });
}

function head(post: Post, framing: string): string {
  const lines = [`${post.method} ${post.path} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(headersOf(post)))
    if (value !== undefined) lines.push(`${name}: ${value}`);
  lines.push(framing);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Splits what a server sent into HTTP/1.1 responses; throws if it is not a sequence of them. */
function parseResponses(data: Buffer): Got[] {
  const out: Got[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf("\r\n\r\n", at);
    if (end < 0)
      throw new Error(`a cut response head: ${JSON.stringify(data.subarray(at, at + 200).toString())}`);
    const [statusLine, ...lines] = data.subarray(at, end).toString("latin1").split("\r\n");
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? "");
    if (status === null) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`not a header: ${JSON.stringify(line)}`);
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = end + 4;
    let body: Buffer;
    if (headers["transfer-encoding"] === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf("\r\n", at);
        if (lineEnd < 0) throw new Error("a cut chunk");
        const size = Number.parseInt(data.subarray(at, lineEnd).toString(), 16);
        if (!Number.isFinite(size)) throw new Error("a bad chunk size");
        at = lineEnd + 2;
        if (size === 0) {
          if (data.subarray(at, at + 2).toString() !== "\r\n") throw new Error("a bad last chunk");
          at += 2;
          break;
        }
        parts.push(data.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers["content-length"] ?? 0);
      body = data.subarray(at, at + length);
      if (body.length !== length) throw new Error("a cut body");
      at += length;
    }
    out.push({ status: Number(status[1]), headers, body });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking

const outcomeOf = (m: Message): Outcome => (m.error === undefined ? "result" : m.error.code);

/** The JSON-RPC messages of a response body (JSON, or the data of each SSE event). */
function messagesOf(got: Got): Message[] {
  const type = String(got.headers["content-type"] ?? "");
  const text = got.body.toString("utf8");
  if (got.body.length === 0) return [];
  if (type.startsWith("text/event-stream")) {
    const out: Message[] = [];
    for (const event of text.split("\n\n")) {
      const data = event
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6));
      if (data.length > 0) out.push(JSON.parse(data.join("\n")) as Message);
    }
    return out;
  }
  if (!type.startsWith("application/json")) throw new Error(`content-type ${type} with a body`);
  return [JSON.parse(text) as Message];
}

interface BatchInfo {
  /** Ids (session + key) sent more than once to one session with a handler running: may get the duplicate error. */
  readonly shared: Set<string>;
  /** Request keys named by some notifications/cancelled of the batch. */
  readonly cancelled: Set<string>;
}

function check(post: Post, exp: Expected, got: Got, info: BatchInfo): string | undefined {
  const text = got.body.toString("utf8");
  if (STACK.test(text)) return `a stack trace in the body: ${text.slice(0, 300)}`;
  if (exp.kind === "status") {
    if (got.status !== exp.status)
      return `status ${got.status}, expected ${exp.status}: ${text.slice(0, 200)}`;
    if (exp.code === undefined || post.method === "HEAD") return got.body.length === 0 ? undefined : "a body";
    const [m] = messagesOf(got);
    if (m?.id !== null || m.error?.code !== exp.code)
      return `answered ${text.slice(0, 200)}, expected ${exp.code}`;
    if (exp.status === 405 && got.headers.allow !== "POST, OPTIONS")
      return `405 with Allow ${got.headers.allow}`;
    if (exp.status === 401 && !String(got.headers["www-authenticate"]).startsWith("Bearer"))
      return `401 with WWW-Authenticate ${got.headers["www-authenticate"]}`;
    return undefined;
  }
  const e = exp.expect;
  if (e.kind === "none")
    return got.status === 202 && got.body.length === 0 ? undefined : `status ${got.status}, expected 202`;
  if (e.kind === "nullError") {
    if (got.status !== 400) return `status ${got.status}, expected 400 (${e.code}): ${text.slice(0, 200)}`;
    const [m] = messagesOf(got);
    return m?.id === null && m.error?.code === e.code
      ? undefined
      : `answered ${text.slice(0, 200)}, expected ${e.code}`;
  }
  const messages = messagesOf(got).filter((m) => m.method === undefined);
  const sessionKey = `${exp.session} ${e.key}`;
  if (got.status === 400 && exp.session !== undefined && info.shared.has(sessionKey)) {
    const m = messages[0];
    if (m?.id === null && DUPLICATE.test(m.error?.message ?? "")) return undefined;
  }
  if (
    messages.length === 0 &&
    info.cancelled.has(e.key) &&
    e.runs &&
    (got.status === 200 || got.status === 202)
  )
    return undefined;
  if (got.status !== 200) return `status ${got.status}, expected 200: ${text.slice(0, 200)}`;
  if (messages.length !== 1) return `${messages.length} responses: ${text.slice(0, 300)}`;
  const m = messages[0] as Message;
  const type = String(got.headers["content-type"]);
  if (!exp.json && !type.startsWith("text/event-stream"))
    return `${type} for a client that takes only event streams`;
  if (m.jsonrpc !== "2.0" || typeof m.id === "object" || idKey(m.id as string | number) !== e.key)
    return `answered under another id: ${text.slice(0, 200)}`;
  if (!e.allowed.has(outcomeOf(m)))
    return `answered ${text.slice(0, 300)}, expected one of ${JSON.stringify([...e.allowed])}`;
  if (e.result !== undefined && JSON.stringify(m.result) !== JSON.stringify(e.result))
    return `answered ${text.slice(0, 300)}, expected result ${JSON.stringify(e.result).slice(0, 200)}`;
  return undefined;
}

/** A raw-socket case: sends it and checks what came back. */
async function runRaw(post: Post, info: BatchInfo): Promise<string | undefined> {
  const body = post.body;
  if (post.method === "") {
    // Not HTTP: Node's parser answers 400 (431 for huge headers) and closes, or just closes.
    // The client half-closes: an unfinished request line or head must not keep the connection.
    const { data, closed } = await sendRaw(body, "half-close");
    if (!closed) return "the connection stayed open after bytes that are no HTTP request";
    if (data.length === 0) return undefined;
    const responses = parseResponses(data);
    return responses.every((r) => r.status >= 400) ? undefined : `answered ${data.toString().slice(0, 200)}`;
  }
  if (post.framing === "hangup") {
    // The whole request, then the client disappears before the answer: the handler is cancelled.
    await sendRaw(
      Buffer.concat([Buffer.from(head(post, `Content-Length: ${body.length}`)), body]),
      "destroy",
    );
    return undefined;
  }
  if (post.framing === "pipelined") {
    // Three copies in one write (HTTP/1.1 pipelining): three responses, in order, each as for one.
    const one = Buffer.concat([Buffer.from(head(post, `Content-Length: ${body.length}`)), body]);
    const last = Buffer.concat([
      Buffer.from(head(post, `Content-Length: ${body.length}\r\nConnection: close`)),
      body,
    ]);
    const { data, closed } = await sendRaw(Buffer.concat([one, one, last]), "wait");
    if (!closed) return "the connection stayed open after Connection: close";
    const responses = parseResponses(data);
    if (responses.length !== 3) return `${responses.length} responses to three pipelined requests`;
    for (const response of responses) {
      const problem = check(post, expected(post), response, info);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (post.framing === "abort") {
    // Headers and part of the body, then the client disappears: nothing to answer.
    const cut = body.subarray(0, Math.floor(body.length / 2));
    await sendRaw(Buffer.concat([Buffer.from(head(post, `Content-Length: ${body.length}`)), cut]), "destroy");
    return undefined;
  }
  if (post.framing === "long") {
    // Content-Length promises more than comes, then the client half-closes: no answer, or a 400.
    const raw = Buffer.concat([Buffer.from(head(post, `Content-Length: ${body.length + 10}`)), body]);
    const { data, closed } = await sendRaw(raw, "half-close");
    if (!closed) return "the connection stayed open after a body cut short";
    const responses = parseResponses(data);
    // A declared length over the limit is refused before the body is read.
    const allowed = body.length + 10 > LIMIT ? [413, 400] : [400];
    return responses.every((r) => allowed.includes(r.status))
      ? undefined
      : `answered ${data.toString().slice(0, 200)}`;
  }
  if (post.framing === "short") {
    // Content-Length says less than is sent: the first response is for the bytes it covers; the rest
    // is read as the next request (a 400 from the parser, or nothing more if it happens to be empty).
    const cut = Math.floor(body.length / 2);
    const raw = Buffer.concat([Buffer.from(head(post, `Content-Length: ${cut}`)), body]);
    const { data, closed } = await sendRaw(raw, "half-close");
    if (!closed) return "the connection stayed open";
    const responses = parseResponses(data);
    if (responses.length < 1 || responses.length > 2) return `${responses.length} responses`;
    if (responses[1] !== undefined && responses[1].status !== 400) return `then ${responses[1].status}`;
    // The parser may reject the bytes after the body before the first response is written: then
    // Node's bare 400 is all the connection gets.
    const [first] = responses as [Got];
    if (responses.length === 1 && first.status === 400 && first.headers["content-type"] === undefined)
      return undefined;
    return check(post, expected(post, body.subarray(0, cut)), responses[0] as Got, info);
  }
  // Chunked: the body in random-ish pieces, the answer as for the whole body.
  const parts: Buffer[] = [Buffer.from(head(post, "Transfer-Encoding: chunked\r\nConnection: close"))];
  for (let at = 0, n = 1; at < body.length; at += n, n = ((n * 7) % 97) + 1) {
    const chunk = body.subarray(at, at + n);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  const { data, closed } = await sendRaw(Buffer.concat(parts), "wait");
  if (!closed) return "the connection stayed open after Connection: close";
  const responses = parseResponses(data);
  if (responses.length !== 1) return `${responses.length} responses to one request`;
  return check(post, expected(post), responses[0] as Got, info);
}

const stats = {
  batches: 0,
  requests: 0,
  raw: 0,
  categories: new Map<string, number>(),
  statuses: new Map<number, number>(),
};

function infoOf(batch: readonly Post[]): BatchInfo {
  const counts = new Map<string, number>();
  const cancelled = new Set<string>();
  for (const post of batch) {
    const exp = expected(post);
    if (exp.kind !== "message") continue;
    const e = exp.expect;
    if (e.kind === "request") {
      const key = `${exp.session} ${e.key}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (e.kind === "none" && "cancels" in e) {
      const t = e.cancels;
      if (typeof t === "string" || typeof t === "number") cancelled.add(idKey(t));
    }
  }
  return { shared: new Set([...counts].filter(([, n]) => n > 1).map(([k]) => k)), cancelled };
}

async function runBatch(batch: readonly Post[]): Promise<void> {
  const info = infoOf(batch);
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batch.length) {
      const post = batch[next++] as Post;
      let problem: string | undefined;
      try {
        if (post.framing === "agent") {
          const got = await send(post);
          stats.statuses.set(got.status, (stats.statuses.get(got.status) ?? 0) + 1);
          problem = check(post, expected(post), got, info);
        } else {
          stats.raw++;
          problem = await runRaw(post, info);
        }
      } catch (error) {
        problem = `failed: ${(error as Error).message} (${(error as NodeJS.ErrnoException).code})`;
      }
      stats.requests++;
      stats.categories.set(post.category, (stats.categories.get(post.category) ?? 0) + 1);
      if (problem !== undefined)
        problems.push(
          `${post.method} ${post.path} ${JSON.stringify(post.headers)} [${post.framing}] ` +
            `${JSON.stringify(post.body.toString().slice(0, 200))}: ${problem}`,
        );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // The server still serves a normal call.
  const probe = await send({
    category: "probe",
    method: "POST",
    path: "/mcp",
    headers: GOOD_HEADERS,
    body: Buffer.from(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "probe",
        method: "tools/call",
        params: { name: "add", arguments: { a: stats.batches, b: 1 } },
      }),
    ),
    framing: "agent",
  });
  expect(JSON.parse(probe.body.toString())).toEqual({
    jsonrpc: "2.0",
    id: "probe",
    result: { content: [{ type: "text", text: String(stats.batches + 1) }] },
  });
  if (!alive()) problems.push("the server exited");
  if (STACK.test(server.stdout)) problems.push("a stack trace on stdout");
  stats.batches++;
  if (problems.length > 0)
    throw new Error(`${problems.slice(0, 8).join("\n")}\nserver stderr: ${server.stderr.slice(-2000)}`);
}

/** Runs `runs` batches against the current server and reports what was sent. */
async function fuzz(what: string, runs: number): Promise<void> {
  Object.assign(stats, { batches: 0, requests: 0, raw: 0, categories: new Map(), statuses: new Map() });
  const started = performance.now();
  const run = await fc.check(fc.asyncProperty(posts, runBatch), {
    seed: SEED,
    numRuns: runs,
    endOnFailure: true,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const peak = Number(
    /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"))?.[1],
  );
  console.log(
    `fuzz-http ${what}: seed ${SEED}, ${stats.batches} batches, ${stats.requests} requests (${stats.raw} on raw sockets) in ${seconds} s, server peak RSS ${Math.round(peak / 1024)} MiB\n  ` +
      [...stats.categories]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") +
      `\n  statuses: ${[...stats.statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([k, n]) => `${k}: ${n}`)
        .join(", ")}`,
  );
  if (run.failed)
    throw new Error(
      `seed ${SEED} failed at batch ${run.counterexamplePath} (FUZZ_SEED=${SEED} reproduces it):\n${(run.errorInstance as Error)?.message}`,
    );
}

describe("HTTP wire fuzzing", () => {
  it(`answers every generated request as documented (seed ${SEED}, ${RUNS} batches)`, async () => {
    await fuzz("without a token", RUNS);
    if (process.env.FUZZ_RUNS === undefined) expect(stats.requests).toBeGreaterThanOrEqual(40_000);
    expect(alive()).toBe(true);
    // SIGTERM still ends it cleanly.
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 600_000);

  it("answers them as documented with a bearer token: 401 for a missing or wrong one", async () => {
    token = TOKEN;
    const started = await startHttp(fixture.serverPath, [], { FASTMCP_HTTP_TOKEN: TOKEN });
    server = started.process;
    url = new URL(started.url);
    await fuzz("with a token", Math.max(5, Math.round(RUNS / 10)));
    expect(stats.statuses.get(401)).toBeGreaterThan(0);
    expect(alive()).toBe(true);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 300_000);
});
