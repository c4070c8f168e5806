// Wire fuzzing (issue 6): a server built by `fastmcp build` from fixtures/projects/fuzz gets
// batches of generated and mutated lines on one process, each batch in one write followed by
// a normal tools/call. Every response is checked against the oracle (oracle.ts): well-formed
// requests get exactly one response with their id (or the documented duplicate-id error),
// malformed lines the right error with id null, stdout carries JSON-RPC only, the process never
// exits. FUZZ_SEED and FUZZ_RUNS (batches) override the fixed seed and the CI count; `npm run
// fuzz` runs longer with a random seed; FUZZ_SERVER fuzzes a server.mjs built elsewhere.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ID_JSON, PAD, type Piece, pieces, separator } from "./arbitraries.js";
import { type BuiltFixture, buildFixture, INITIALIZE, type Message, WireServer } from "./fixture.js";
import { type Expectation, expectLine, idKey, type Outcome } from "./oracle.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
/** The fixture's fastmcp.config.json sets maxMessageBytes to 256 KiB. */
const LIMIT = 256 * 1024;
const BATCH = { minLength: 220, maxLength: 330 };
/** How long one batch may take to be answered: generous, the machine is shared. */
const BATCH_TIMEOUT_MS = 60_000;

let fixture: BuiltFixture;
let server: WireServer;
let listener: (message: Message) => void = () => {};

beforeAll(async () => {
  // FUZZ_SERVER: a server.mjs built from fixtures/projects/fuzz elsewhere (another runtime, say).
  const prebuilt = process.env.FUZZ_SERVER;
  fixture =
    prebuilt === undefined
      ? await buildFixture("fuzz")
      : { dir: "", serverPath: prebuilt, diagnostics: [], remove() {} };
  server = new WireServer(fixture.serverPath);
  server.onMessage = (message) => listener(message);
  const ready = new Promise<Message>((resolve) => {
    listener = (m) => m.id === "init" && resolve(m);
  });
  await server.write(INITIALIZE);
  expect((await ready).result).toMatchObject({ protocolVersion: "2025-11-25" });
}, 120_000);

afterAll(async () => {
  server?.kill();
  fixture?.remove();
});

/** One batch's lines as sent, and what the oracle expects of each. */
interface Sent {
  readonly buffer: Buffer;
  readonly lines: { readonly bytes: Buffer; readonly expect: Expectation }[];
}

let nextId = 0;
/** Whether the server under test has had its handshake. */
let initialized = true;

function assemble(batch: readonly [Piece, string][]): Sent {
  const parts: Buffer[] = [];
  for (const [piece, sep] of batch) {
    let data = piece.data;
    if (typeof data === "string") {
      const id = JSON.stringify(`q${++nextId}`);
      data = data.split(ID_JSON).join(id);
      if (piece.padTo !== undefined) {
        const pad = piece.padTo - (Buffer.byteLength(data) - PAD.length);
        data = data.replace(PAD, "x".repeat(Math.max(0, pad)));
      }
    }
    parts.push(typeof data === "string" ? Buffer.from(data) : Buffer.from(data), Buffer.from(sep));
  }
  const buffer = Buffer.concat(parts);
  const lines: Sent["lines"][number][] = [];
  let start = 0;
  for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10, start)) {
    const bytes = buffer.subarray(start, newline);
    lines.push({ bytes, expect: expectLine(bytes, LIMIT, initialized) });
    start = newline + 1;
  }
  return { buffer, lines };
}

/** The requests of one batch that share an id, and the cancellations aimed at them. */
interface Group {
  readonly members: {
    readonly line: number;
    readonly allowed: ReadonlySet<Outcome>;
    readonly runs: boolean;
    readonly result?: unknown;
  }[];
  lastCancel: number;
}

/**
 * How many answers (responses with the id, or duplicate-id errors naming it) a group gets at
 * least: all but the requests that run a handler and were read before a cancellation of their
 * id (those may end without an answer). At most one per request.
 */
function mustAnswer(group: Group): number {
  return group.members.filter((m) => !m.runs || m.line > group.lastCancel).length;
}

function groupsOf(sent: Sent): { groups: Map<string, Group>; nullErrors: Map<number, number> } {
  const groups = new Map<string, Group>();
  const nullErrors = new Map<number, number>();
  sent.lines.forEach(({ expect: e }, line) => {
    if (e.kind === "nullError") nullErrors.set(e.code, (nullErrors.get(e.code) ?? 0) + 1);
    if (e.kind === "request") {
      const group = groups.get(e.key) ?? { members: [], lastCancel: -1 };
      group.members.push({ line, allowed: e.allowed, runs: e.runs, result: e.result });
      groups.set(e.key, group);
    }
  });
  // A cancellation stops a request read before it (one read after it is unknown to it).
  sent.lines.forEach(({ expect: e }, line) => {
    if (e.kind !== "none" || !("cancels" in e)) return;
    const target = e.cancels;
    if (typeof target !== "string" && typeof target !== "number") return;
    const group = groups.get(idKey(target));
    if (group !== undefined) group.lastCancel = line;
  });
  return { groups, nullErrors };
}

const outcomeOf = (m: Message): Outcome => (m.error === undefined ? "result" : m.error.code);
const DUPLICATE = /^Invalid Request: id (.*) is in use by a request in flight$/s;

/** The previous batch's requests by id, to explain a late answer. */
const previous = new Map<string, { batch: number; lines: string[] }>();

const stats = { batches: 0, lines: 0, blank: 0, bytes: 0, categories: new Map<string, number>() };

async function runBatch(batch: readonly [Piece, string][]): Promise<void> {
  const sent = assemble(batch);
  const { groups, nullErrors } = groupsOf(sent);
  const sentinel = `sentinel-${stats.batches}`;
  const responses = new Map<string, Message[]>();
  const duplicates = new Map<string, number>();
  const others: Message[] = [];
  let sentinelAnswer: Message | undefined;
  const satisfied = () =>
    sentinelAnswer !== undefined &&
    [...groups].every(
      ([key, g]) => (responses.get(key)?.length ?? 0) + (duplicates.get(key) ?? 0) >= mustAnswer(g),
    );
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("batch not answered in time")), BATCH_TIMEOUT_MS);
    listener = (m) => {
      if (m.method !== undefined) return; // a notification (progress, log)
      if (m.id === sentinel) sentinelAnswer = m;
      else if (m.id === null) {
        const duplicate = DUPLICATE.exec(m.error?.message ?? "");
        if (duplicate !== null) {
          const key = idKey(JSON.parse(duplicate[1] as string));
          duplicates.set(key, (duplicates.get(key) ?? 0) + 1);
        } else others.push(m);
      } else {
        const key = idKey(m.id as string | number);
        responses.set(key, [...(responses.get(key) ?? []), m]);
      }
      if (satisfied()) {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  const probe = JSON.stringify(
    initialized
      ? {
          jsonrpc: "2.0",
          id: sentinel,
          method: "tools/call",
          params: { name: "add", arguments: { a: stats.batches, b: 1 } },
        }
      : { jsonrpc: "2.0", id: sentinel, method: "ping" },
  );
  await server.write(Buffer.concat([sent.buffer, Buffer.from(`${probe}\n`)]));
  try {
    await done;
  } catch (error) {
    const missing = [...groups].filter(([key]) => !responses.has(key) && !duplicates.has(key)).slice(0, 5);
    const lines = missing.map(([, g]) => sent.lines[g.members[0]?.line ?? 0]?.bytes.toString().slice(0, 300));
    throw new Error(
      `${(error as Error).message}; no answer to e.g. ${JSON.stringify(lines)}; alive: ${server.alive}`,
    );
  }

  const problems: string[] = [];
  const show = (line: number) => JSON.stringify(sent.lines[line]?.bytes.toString().slice(0, 300));
  expect(sentinelAnswer?.result, "the request after the batch").toEqual(
    initialized ? { content: [{ type: "text", text: String(stats.batches + 1) }] } : {},
  );
  for (const [key, group] of groups) {
    const got = responses.get(key) ?? [];
    const dups = duplicates.get(key) ?? 0;
    const k = group.members.length;
    const must = mustAnswer(group);
    const total = got.length + dups;
    const first = group.members[0]?.line ?? 0;
    if (total < must || total > k)
      problems.push(
        `${show(first)}: ${k} request(s) with this id, ${got.length} response(s) + ${dups} duplicate error(s)`,
      );
    if (dups > group.members.filter((m) => m.runs).length)
      problems.push(`${show(first)}: ${dups} duplicate-id error(s) for requests that run no handler`);
    const known = group.members.length === 1 ? group.members[0]?.result : undefined;
    if (known !== undefined && got.length === 1 && !isDeepStrictEqual(got[0]?.result, known))
      problems.push(
        `${show(first)}: answered ${JSON.stringify(got[0]).slice(0, 300)}, expected result ${JSON.stringify(known).slice(0, 200)}`,
      );
    const allowed = new Set(group.members.flatMap((m) => [...m.allowed]));
    for (const response of got) {
      if (!allowed.has(outcomeOf(response)))
        problems.push(
          `${show(first)}: answered ${JSON.stringify(response).slice(0, 300)}, expected one of ${JSON.stringify([...allowed])}`,
        );
    }
  }
  for (const [key, got] of responses) {
    if (groups.has(key)) continue;
    const earlier = previous.get(key);
    problems.push(
      `unexpected response ${JSON.stringify(got[0]).slice(0, 300)}` +
        (earlier === undefined
          ? ""
          : ` (that id was sent in batch ${earlier.batch}: ${earlier.lines.join(" / ")})`),
    );
  }
  const observed = new Map<number, number>();
  for (const m of others) observed.set(m.error?.code ?? 0, (observed.get(m.error?.code ?? 0) ?? 0) + 1);
  for (const code of new Set([...observed.keys(), ...nullErrors.keys()])) {
    if ((observed.get(code) ?? 0) !== (nullErrors.get(code) ?? 0)) {
      const example = sent.lines.find((l) => l.expect.kind === "nullError" && l.expect.code === code);
      problems.push(
        `errors with id null and code ${code}: got ${observed.get(code) ?? 0}, expected ${nullErrors.get(code) ?? 0}` +
          (example ? ` (e.g. for ${JSON.stringify(example.bytes.toString().slice(0, 200))})` : ""),
      );
    }
  }
  if (server.garbage.length > 0) problems.push(`not JSON-RPC on stdout: ${server.garbage[0]?.slice(0, 300)}`);
  if (!server.alive) problems.push("the server exited");
  if (problems.length > 0) throw new Error(problems.slice(0, 10).join("\n"));

  previous.clear();
  for (const [key, group] of groups) {
    const lines = group.members.map((m) => show(m.line));
    if (group.lastCancel >= 0) lines.push(`cancelled by ${show(group.lastCancel)}`);
    previous.set(key, { batch: stats.batches, lines });
  }
  stats.batches++;
  stats.bytes += sent.buffer.length;
  for (const line of sent.lines) {
    if (line.expect.kind === "none" && line.bytes.toString().trim() === "") stats.blank++;
    else stats.lines++;
  }
  for (const [piece] of batch)
    stats.categories.set(piece.category, (stats.categories.get(piece.category) ?? 0) + 1);
}

/** Writes `lines` and a ping, and collects every response until the ping's (all are synchronous here). */
async function exchange(...lines: (string | Buffer)[]): Promise<Message[]> {
  const got: Message[] = [];
  const probe = `probe-${++nextId}`;
  const done = new Promise<void>((resolve) => {
    listener = (m) => (m.id === probe ? resolve() : got.push(m));
  });
  await server.write(
    Buffer.concat(
      [...lines, `{"jsonrpc":"2.0","id":"${probe}","method":"ping"}`].map((l) =>
        Buffer.concat([Buffer.from(l), Buffer.from("\n")]),
      ),
    ),
  );
  await done;
  return got;
}

/** The built-in prototypes before the fuzzer ran. */
let pristine: unknown;

describe("what the fuzzer found, end to end", () => {
  it("starts with clean built-in prototypes", async () => {
    pristine = await server.callTool("pollution");
    expect(pristine).toMatchObject({
      polluted: false,
      objectPrototype: expect.arrayContaining(["__proto__"]),
    });
  });

  const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

  it("answers a completion ref or a list cursor nested 100 000 deep with -32602 (it went unanswered)", async () => {
    const got = await exchange(
      `{"jsonrpc":"2.0","id":"ref","method":"completion/complete","params":{"ref":${deep(100_000)},"argument":{"name":"tone","value":""}}}`,
      `{"jsonrpc":"2.0","id":"cursor","method":"prompts/list","params":{"cursor":{"a":${deep(100_000)}}}}`,
    );
    expect(got).toEqual([
      {
        jsonrpc: "2.0",
        id: "ref",
        error: { code: -32602, message: expect.stringContaining("unknown completion reference") },
      },
      {
        jsonrpc: "2.0",
        id: "cursor",
        error: { code: -32602, message: expect.stringContaining("invalid cursor") },
      },
    ]);
  });

  it("answers a line that is not UTF-8 with -32700 (it was served with U+FFFD in place of the bad bytes)", async () => {
    const ping = Buffer.from('{"jsonrpc":"2.0","id":"bad-\u00ff","method":"ping"}'.replace("\\u00ff", "X"));
    const at = ping.indexOf("X");
    const got = await exchange(
      Buffer.concat([ping.subarray(0, at), Buffer.from([0xff]), ping.subarray(at + 1)]),
    );
    expect(got).toEqual([
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: the line is not valid UTF-8" },
      },
    ]);
    // Valid UTF-8 that decodes to U+FFFD is fine.
    expect(await exchange('{"jsonrpc":"2.0","id":"ok-\ufffd","method":"ping"}')).toEqual([
      { jsonrpc: "2.0", id: "ok-\ufffd", result: {} },
    ]);
  });
});

/** Runs `runs` batches through runBatch; a failing batch is written to a file, not to the log. */
async function fuzz(runs: number, batch: fc.Arbitrary<[Piece, string][]>): Promise<void> {
  const run = await fc.check(fc.asyncProperty(batch, runBatch), {
    seed: SEED,
    numRuns: runs,
    endOnFailure: true,
  });
  if (!run.failed) return;
  const file = join(tmpdir(), `fastmcp-fuzz-${SEED}-${run.counterexamplePath}.ndjson`);
  const failed = run.counterexample?.[0];
  writeFileSync(file, failed === undefined ? "" : assemble(failed).buffer);
  throw new Error(
    `seed ${SEED} failed at batch ${run.counterexamplePath} (FUZZ_SEED=${SEED} reproduces it; ` +
      `the batch as sent, with other ids, is in ${file}):\n${(run.errorInstance as Error)?.message}`,
  );
}

function report(what: string, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const categories = [...stats.categories].sort((a, b) => b[1] - a[1]);
  console.log(
    `fuzz ${what}: seed ${SEED}, ${stats.batches} batches, ${stats.lines} messages (+${stats.blank} blank lines), ` +
      `${(stats.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s; peak RSS ${(server.peakRss() / 2 ** 20).toFixed(0)} MiB\n  ` +
      categories.map(([name, n]) => `${name} ${n}`).join(", "),
  );
}

describe("wire fuzzing", () => {
  it(
    `answers every generated line as documented (seed ${SEED}, ${RUNS} batches)`,
    async () => {
      const started = performance.now();
      await fuzz(RUNS, fc.array(fc.tuple(pieces(LIMIT), separator), BATCH));
      report("after the handshake", started);
      if (process.env.FUZZ_RUNS === undefined) expect(stats.lines).toBeGreaterThanOrEqual(100_000);
      // Thousands of __proto__, constructor and prototype keys went by: the built-ins are untouched.
      expect(await server.callTool("pollution")).toEqual(pristine);
      expect(server.alive).toBe(true);
      expect(server.garbage).toEqual([]);
      expect(await server.end()).toEqual({ code: 0, signal: null });
    },
    Math.max(600_000, RUNS * 1500),
  );

  it("answers every generated line before the handshake: ping, and -32600 for any other request", async () => {
    server = new WireServer(fixture.serverPath);
    server.onMessage = (message) => listener(message);
    initialized = false;
    Object.assign(stats, { batches: 0, lines: 0, blank: 0, bytes: 0, categories: new Map() });
    const started = performance.now();
    const noHandshake = pieces(LIMIT).filter(
      (p) => typeof p.data !== "string" || !p.data.includes('"initialize"'),
    );
    await fuzz(Math.max(5, Math.round(RUNS / 20)), fc.array(fc.tuple(noHandshake, separator), BATCH));
    report("before the handshake", started);
    expect(server.garbage).toEqual([]);
    expect(await server.end()).toEqual({ code: 0, signal: null });
  }, 300_000);
});
