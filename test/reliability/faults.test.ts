// The fault matrix (DESIGN §3 "Four-valued outcome"), end to end: the faults fixture built by
// `fastmcp build`, driven by the official SDK client. Each case gets its documented outcome, and
// afterwards the same server process still serves. docs/RELIABILITY.md ("Faults") lists the cases.
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  connectTo,
  isAlive,
  killStrays,
  responsesFor,
  type Session,
  type WireEntry,
} from "../e2e/harness.js";
import {
  type BuiltFixture,
  buildFaults,
  killRawStrays,
  procStatusKb,
  RawClient,
  sleep,
} from "./faults-fixture.js";

let fixture: BuiltFixture;
let session: Session;
/** Everything the SDK transport could not read as a JSON-RPC message: stdout must carry nothing else. */
const transportErrors: Error[] = [];

beforeAll(async () => {
  fixture = await buildFaults();
  session = await connectTo(fixture.serverPath);
  session.client.onerror = (error) => transportErrors.push(error);
}, 60_000);

afterAll(async () => {
  await session?.close();
  fixture?.remove();
  expect(killStrays() + killRawStrays()).toBe(0);
});

type McpFailure = { code: number; message: string; data?: unknown };

/** A request that must fail with a JSON-RPC error: the error the SDK client rejected with. */
async function failure(pending: Promise<unknown>): Promise<McpFailure> {
  const outcome = await pending.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  expect(outcome, "a JSON-RPC error, not a result").toHaveProperty("error");
  return (outcome as { error: McpFailure }).error;
}

/** The id of the last request the client sent for `method` whose params match `params`. */
function lastId(wire: readonly WireEntry[], method: string, params: Record<string, unknown>): unknown {
  const sent = wire.filter((e) => e.dir === "out" && e.msg.method === method);
  const match = sent.filter((e) => {
    const p = e.msg.params as Record<string, unknown>;
    return Object.entries(params).every(([k, v]) => JSON.stringify(p[k]) === JSON.stringify(v));
  });
  return match.at(-1)?.msg.id;
}

/** The stderr report that starts with `head`, up to the next report. */
async function reportOf(head: string): Promise<string> {
  await expect.poll(() => session.stderr(), { timeout: 10_000 }).toContain(head);
  const stderr = session.stderr();
  const start = stderr.indexOf(head);
  const next = stderr.indexOf("\n[fastmcp] ", start);
  return stderr.slice(start, next === -1 ? undefined : next);
}

/** A normal call works and is answered by the same process as before. */
async function expectServing(): Promise<void> {
  expect(await call(session.client, "echo", { message: "still here" })).toEqual({
    content: [{ type: "text", text: "still here" }],
  });
  expect(await call(session.client, "pid")).toEqual({
    content: [{ type: "text", text: String(session.pid) }],
  });
  expect(isAlive(session.pid)).toBe(true);
}

const budgetText = (name: string) =>
  `Tool "${name}" stopped: the @timeout budget of tool "${name}" (300 ms) ran out`;

/** Each panic case runs this many times in a row, each with its own ref. */
const RUNS = 3;

type PanicCase = [label: string, name: string, args: Record<string, unknown>, detail: string, frame?: string];

const PANICS: PanicCase[] = [
  ["a sync throw", "sync_throw", {}, "RangeError: sync throw from a handler", "at syncThrow"],
  ["an async rejection", "async_reject", {}, "Error: async rejection from a handler", "at asyncReject"],
  ["a thrown string", "throw_value", { kind: "string" }, 'non-Error value thrown: "a thrown string"'],
  [
    "a thrown object",
    "throw_value",
    { kind: "object" },
    'non-Error value thrown: {"code":42,"reason":"a thrown object"}',
  ],
  ["a thrown undefined", "throw_value", { kind: "undefined" }, "non-Error value thrown: undefined"],
  ["a thrown null", "throw_value", { kind: "null" }, "non-Error value thrown: null"],
  ["a thrown number", "throw_value", { kind: "number" }, "non-Error value thrown: 7"],
  [
    "a thrown object that cannot be printed",
    "throw_value",
    { kind: "unprintable" },
    "a thrown object that cannot be printed",
  ],
  [
    "a thrown revoked proxy",
    "throw_value",
    { kind: "revoked-proxy" },
    "a thrown object that cannot be printed",
  ],
  ["a spawned child that rejects, not awaited", "child_rejects", {}, "Error: child task failed"],
  [
    "a BigInt in the result",
    "unserialisable",
    { kind: "bigint" },
    "TypeError: Do not know how to serialize a BigInt",
  ],
  [
    "a circular result",
    "unserialisable",
    { kind: "circular" },
    "TypeError: Converting circular structure to JSON",
  ],
  [
    "a result with a throwing getter",
    "unserialisable",
    { kind: "throwing-getter" },
    "Error: the total cannot be computed",
  ],
  [
    "a revoked proxy returned from a plain function",
    "unserialisable",
    { kind: "revoked-proxy" },
    "TypeError: Cannot perform 'get' on a proxy that has been revoked",
  ],
];

/** Checks one panic: -32603 naming the tool and a ref, and the report under that ref on stderr. */
async function expectPanic(
  pending: Promise<unknown>,
  what: string,
  id: unknown,
  detail: string,
): Promise<string> {
  const error = await failure(pending);
  expect(error.code).toBe(-32603);
  const ref = new RegExp(
    `Internal error in ${escapeRegExp(what)} \\(ref ([0-9a-f]{8})\\); see the server log`,
  ).exec(error.message)?.[1];
  expect(ref, error.message).toBeDefined();
  const report = await reportOf(`[fastmcp] panic ${ref} in ${what} (request ${JSON.stringify(id)}): `);
  expect(report).toContain(detail);
  return ref as string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("panics: -32603 with a ref, the stack on stderr under the same ref", () => {
  it.each(PANICS)("%s", async (_label, name, args, detail, frame) => {
    const refs = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const pending = session.client.callTool({ name, arguments: args });
      const id = lastId(session.wire, "tools/call", { name, arguments: args });
      const ref = await expectPanic(pending, `tool "${name}"`, id, detail);
      if (frame !== undefined) expect(await reportOf(`panic ${ref}`)).toContain(`    ${frame} (`);
      expect(responsesFor(session.wire, id)).toHaveLength(1);
      refs.add(ref);
      await expectServing();
    }
    expect(refs.size).toBe(RUNS);
  });

  it("a resource that throws", async () => {
    const pending = session.client.readResource({ uri: "faults://panic" });
    const id = lastId(session.wire, "resources/read", { uri: "faults://panic" });
    await expectPanic(pending, 'resource "faults://panic"', id, "TypeError: a bug in a resource");
    await expectServing();
  });

  it("a prompt that throws a string", async () => {
    const pending = session.client.getPrompt({ name: "broken_prompt" });
    const id = lastId(session.wire, "prompts/get", { name: "broken_prompt" });
    await expectPanic(
      pending,
      'prompt "broken_prompt"',
      id,
      'non-Error value thrown: "a prompt that throws a string"',
    );
    await expectServing();
  });

  it("every panic case 10 times at once: each answered once, each with its own ref", async () => {
    const copies = 10;
    const before = session.wire.length;
    const pending = PANICS.flatMap(([, name, args]) =>
      Array.from({ length: copies }, () => failure(session.client.callTool({ name, arguments: args }))),
    );
    const errors = await Promise.all(pending);
    const refs = errors.map((e) => /\(ref ([0-9a-f]{8})\)/.exec(e.message)?.[1]);
    expect(errors.every((e) => e.code === -32603)).toBe(true);
    expect(new Set(refs).size).toBe(PANICS.length * copies);
    for (const ref of refs) await reportOf(`[fastmcp] panic ${ref} in tool "`);
    const sent = session.wire.slice(before).filter((e) => e.dir === "out" && e.msg.method === "tools/call");
    for (const e of sent) expect(responsesFor(session.wire, e.msg.id)).toHaveLength(1);
    await expectServing();
  });
});

describe("budgets: a handler that never settles is ended by its @timeout", () => {
  it.each([
    ["with checkpoints", "loop_with_checkpoints", false],
    ["listening to the signal", "wait_with_signal", false],
    ["ignoring cancellation: answered after the grace period and abandoned", "never_settles", true],
  ])("%s", async (_label, name, abandoned) => {
    const result = await call(session.client, name);
    expect(result).toEqual({
      content: [{ type: "text", text: budgetText(name) }],
      isError: true,
    });
    const id = lastId(session.wire, "tools/call", { name });
    const head = `[fastmcp] tool "${name}" (request ${JSON.stringify(id)}) `;
    if (abandoned) {
      const report = await reportOf(head);
      expect(report).toContain("left tasks running 1000 ms after it was cancelled (budget); abandoned");
    } else {
      expect(session.stderr()).not.toContain(head);
    }
    expect(responsesFor(session.wire, id)).toHaveLength(1);
    await expectServing();
  });

  it("a handler that finishes long after it was abandoned is answered once, at the abandonment", async () => {
    const result = await call(session.client, "finishes_late", { ms: 1800 });
    expect(result).toEqual({
      content: [{ type: "text", text: budgetText("finishes_late") }],
      isError: true,
    });
    const id = lastId(session.wire, "tools/call", { name: "finishes_late" });
    await reportOf(`[fastmcp] tool "finishes_late" (request ${JSON.stringify(id)}) left tasks running`);
    // The handler itself says when it has finished; its late result must not be sent.
    await expect
      .poll(() => session.stderr(), { timeout: 10_000 })
      .toContain("finishes_late: done after 1800 ms");
    await expectServing();
    expect(responsesFor(session.wire, id)).toHaveLength(1);
  });

  it("a resource that never settles: -32001 naming its budget", async () => {
    const error = await failure(session.client.readResource({ uri: "faults://slow" }));
    expect(error.code).toBe(-32001);
    expect(error.message).toContain(
      'Resource "faults://slow" stopped: the @timeout budget of resource "faults://slow" (200 ms) ran out',
    );
    expect(error.data).toEqual({ budgetMs: 200 });
    await expectServing();
  });
});

describe("child tasks", () => {
  it("a child that fails after its handler returned: the handler's result, the failure reported", async () => {
    for (let run = 0; run < RUNS; run++) {
      expect(await call(session.client, "child_rejects_late")).toEqual({
        content: [{ type: "text", text: "returned before the child failed" }],
      });
      const id = lastId(session.wire, "tools/call", { name: "child_rejects_late" });
      const report = await reportOf(`[fastmcp] tool "child_rejects_late" (request ${JSON.stringify(id)}): `);
      expect(report).toContain(
        "a child task threw after it was cancelled (parent), which does not change the outcome",
      );
      expect(report).toContain("Error: child task failed after its parent returned");
      await expectServing();
    }
    // The children's rejections were the region's to handle: none escaped as a stray.
    expect(session.stderr()).not.toMatch(
      /unhandled rejection \(ref [0-9a-f]{8}\), server keeps serving: Error: child/,
    );
  });
});

describe("faults outside a request", () => {
  it.each([
    ["rejection", "unhandled rejection"],
    ["exception", "uncaught exception"],
  ])("a stray %s: reported on stderr with a ref, the call answered", async (kind, label) => {
    expect(await call(session.client, "stray", { kind })).toEqual({
      content: [{ type: "text", text: `left a stray ${kind}` }],
    });
    await expect
      .poll(() => session.stderr(), { timeout: 10_000 })
      .toMatch(
        new RegExp(
          `${label} \\(ref [0-9a-f]{8}\\), server keeps serving: Error: stray ${kind} from a handler`,
        ),
      );
    await expectServing();
  });

  it("a stray rejection with a revoked proxy, which nothing can print: reported as such", async () => {
    const kind = "revoked-proxy rejection";
    expect(await call(session.client, "stray", { kind })).toEqual({
      content: [{ type: "text", text: `left a stray ${kind}` }],
    });
    await expect
      .poll(() => session.stderr(), { timeout: 10_000 })
      .toMatch(
        /unhandled rejection \(ref [0-9a-f]{8}\), server keeps serving: a thrown object that cannot be printed/,
      );
    // Not an exception of the reporter's own, reported in its stead.
    expect(session.stderr()).not.toMatch(
      /uncaught exception \(ref [0-9a-f]{8}\), server keeps serving: TypeError/,
    );
    await expectServing();
  });
});

describe("large results", () => {
  /** The most the official SDK client reads in one message (10 MiB in reads of up to 64 KiB). */
  const limit = 10 * 1024 * 1024 - 64 * 1024;

  it("a 10 MB text result arrives whole", async () => {
    const bytes = 10_000_000;
    const result = await call(session.client, "huge_text", { bytes });
    const text = result.content?.[0]?.text ?? "";
    expect(text.length).toBe(bytes);
    expect(/^x+$/.test(text)).toBe(true);
    await expectServing();
  });

  it("a 4 MB structured result (8 MB on the wire, as structuredContent and as text) arrives whole", async () => {
    const count = 4000;
    const width = 1000;
    const result = await call(session.client, "huge_rows", { count, width });
    const rows = (result.structuredContent as { rows: string[] }).rows;
    expect(rows).toHaveLength(count);
    expect(rows.every((row, i) => row.length === width && row.startsWith(`${i}.`))).toBe(true);
    expect(JSON.parse(result.content?.[0]?.text ?? "null")).toEqual({ rows });
    await expectServing();
  });

  it.each([
    ["a 10 MiB text result", "huge_text", { bytes: 10 * 1024 * 1024 }],
    ["a 10 MB structured result (20 MB on the wire)", "huge_rows", { count: 10_000, width: 1000 }],
  ])(
    "%s, longer than the SDK client reads: an isError result saying so, the session kept",
    async (_l, name, args) => {
      const result = await call(session.client, name, args);
      expect(result.isError).toBe(true);
      const text = result.content?.[0]?.text ?? "";
      expect(text).toMatch(
        new RegExp(
          `^Tool "${name}" produced a response of \\d+ bytes, over the ${limit}-byte limit of one message`,
        ),
      );
      const id = lastId(session.wire, "tools/call", { name, arguments: args });
      const report = await reportOf(
        `[fastmcp] tool "${name}" (request ${JSON.stringify(id)}): a response of `,
      );
      expect(report).toContain(
        `bytes, over the ${limit}-byte limit of one message, answered with an error instead`,
      );
      await expectServing();
    },
  );

  it("an 11 MiB resource: -32603 saying so, with the sizes as data", async () => {
    const error = await failure(session.client.readResource({ uri: "faults://huge" }));
    expect(error.code).toBe(-32603);
    expect(error.message).toMatch(/Resource "faults:\/\/huge" produced a response of \d+ bytes, over the/);
    expect(error.data).toEqual({ bytes: expect.any(Number), maxBytes: limit });
    expect((error.data as { bytes: number }).bytes).toBeGreaterThan(11 * 1024 * 1024);
    await expectServing();
  });

  it("a log message longer than the SDK client reads is dropped and reported; the call is answered", async () => {
    const bytes = 11 * 1024 * 1024;
    const logged: unknown[] = [];
    session.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logged.push(n.params.data);
    });
    expect(await call(session.client, "huge_log", { bytes })).toEqual({
      content: [{ type: "text", text: `logged ${bytes} characters` }],
    });
    const id = lastId(session.wire, "tools/call", { name: "huge_log" });
    const report = await reportOf(
      `[fastmcp] tool "huge_log" (request ${JSON.stringify(id)}): a notification of `,
    );
    expect(report).toContain(`over the ${limit}-byte limit of one message, was dropped`);
    expect(await call(session.client, "huge_log", { bytes: 10 })).toEqual({
      content: [{ type: "text", text: "logged 10 characters" }],
    });
    await expect.poll(() => logged).toEqual([{ message: "a large log message", data: "x".repeat(10) }]);
    await expectServing();
  });
});

describe("the event loop blocked for 2 s", () => {
  it("answers the blocking call, then a ping and a call sent while it blocked", async () => {
    const { client, wire } = session;
    const blocking = call(client, "block_loop", { ms: 2000 });
    const pinged = client.ping();
    const echoed = call(client, "echo", { message: "sent during the block" });
    const [blocked, , echo] = await Promise.all([blocking, pinged, echoed]);
    expect(blocked).toEqual({
      content: [{ type: "text", text: "blocked the event loop for 2000 ms (spinning)" }],
    });
    expect(echo).toEqual({ content: [{ type: "text", text: "sent during the block" }] });
    const answeredAt = (id: unknown) =>
      wire.findIndex((e) => e.dir === "in" && e.msg.id === id && !("method" in e.msg));
    const blockAt = answeredAt(lastId(wire, "tools/call", { name: "block_loop" }));
    const pingAt = answeredAt(wire.filter((e) => e.dir === "out" && e.msg.method === "ping").at(-1)?.msg.id);
    const echoAt = answeredAt(
      lastId(wire, "tools/call", { name: "echo", arguments: { message: "sent during the block" } }),
    );
    expect(blockAt).toBeGreaterThan(-1);
    expect(pingAt).toBeGreaterThan(blockAt);
    expect(echoAt).toBeGreaterThan(blockAt);
    await expectServing();
  });
});

describe("stdout carries JSON-RPC only", () => {
  it("console.* and process.stdout.write from a handler go to stderr, even a line that looks like a response", async () => {
    for (let run = 0; run < RUNS; run++) {
      expect(await call(session.client, "noisy")).toEqual({ content: [{ type: "text", text: "printed" }] });
    }
    for (const printed of [
      "console.log from a handler",
      "console.info from a handler",
      "console.debug from a handler",
      "console.warn from a handler",
      "console.error from a handler",
      "console.table from a handler",
      "console.dir from a handler",
      "process.stdout.write from a handler",
      "process.stdout.write of a Buffer",
      "process.stdout.write without a newline",
      '"forged":true',
      "console.log from a timer after the handler returned",
    ]) {
      await expect.poll(() => session.stderr(), { timeout: 10_000 }).toContain(printed);
    }
    await expectServing();
  });

  it("byte for byte on a raw pipe: every stdout line is a JSON-RPC message, nothing else", async () => {
    const raw = new RawClient(fixture.serverPath);
    await raw.initialize();
    const calls = ["noisy", "noisy", "stray", "sync_throw", "huge_text", "noisy"];
    const args: Record<string, object> = { stray: { kind: "rejection" }, huge_text: { bytes: 1 << 20 } };
    await Promise.all(calls.map((name) => raw.request("tools/call", { name, arguments: args[name] ?? {} })));
    await raw.until(
      () => (raw.stderr.includes("after the handler returned") ? true : undefined),
      "the timer's print",
    );
    raw.child.stdin.end();
    expect(await raw.exited).toEqual({ code: 0, signal: null });
    expect(raw.foreign).toEqual([]);
    expect(raw.unterminated).toBe("");
    expect(raw.responses).toHaveLength(1 + calls.length);
    expect([...raw.answers.values()].every((n) => n === 1)).toBe(true);
    expect(raw.stderr).toContain('{"jsonrpc":"2.0","id":1,"result":{"forged":true}}');
  });

  it("what reached stderr before the exit is not lost when the client reads stderr late", async () => {
    const raw = new RawClient(fixture.serverPath);
    raw.child.stderr.pause(); // 5,000 lines are 160 kB: more than the pipe holds
    await raw.initialize();
    const count = 5000;
    expect((await raw.request("tools/call", { name: "print_lines", arguments: { count } })).result).toEqual({
      content: [{ type: "text", text: `printed ${count} lines` }],
    });
    raw.child.stdin.end();
    await sleep(500); // the server is done and waits for stderr; not a timing assertion
    raw.child.stderr.resume();
    expect(await raw.exited).toEqual({ code: 0, signal: null });
    const printed = raw.stderr.split("\n").filter((line) => line.startsWith("print_lines: "));
    expect(printed).toHaveLength(count + 1);
    expect(printed.at(-1)).toBe("print_lines: done");
  });

  it("500,000 lines printed to a stderr nobody reads: dropped past a 1 MiB backlog, and counted", async () => {
    const count = 500_000; // ~17 MB in 500,000 writes
    const raw = new RawClient(fixture.serverPath);
    raw.child.stderr.pause();
    await raw.initialize();
    const baselineKb = procStatusKb(raw.pid, "VmRSS");
    await raw.request("tools/call", { name: "print_lines", arguments: { count } });
    const grownKb = procStatusKb(raw.pid, "VmHWM") - baselineKb;
    console.info(
      `stderr: ${count} lines to an unread stderr; peak RSS grew ${(grownKb / 1024).toFixed(1)} MiB`,
    );
    // Kept, the writes cost ~290 bytes each: ~140 MiB here (measured before the fix, and likewise
    // with a client that reads stderr more slowly than the server prints). Dropped, what remains
    // is the garbage of formatting 500,000 lines: ~45 MiB.
    expect(grownKb).toBeLessThan(80 * 1024);
    raw.child.stderr.resume();
    raw.child.stdin.end();
    expect(await raw.exited).toEqual({ code: 0, signal: null });
    expect(raw.stderr).toMatch(
      /\[fastmcp\] \d+ writes to stderr were dropped while its reader was 1 MiB behind/,
    );
  });

  it("the SDK client read every message of this session without a transport error", () => {
    expect(transportErrors).toEqual([]);
  });
});

describe("maxResponseBytes from the project's configuration", () => {
  it("a tool result over the configured limit becomes an isError result naming it", async () => {
    const small = await buildFaults({ maxResponseBytes: "64KiB" });
    const raw = new RawClient(small.serverPath);
    try {
      await raw.initialize();
      const fits = await raw.request("tools/call", { name: "huge_text", arguments: { bytes: 60_000 } });
      expect((fits.result as { isError?: boolean }).isError).toBeUndefined();
      const over = await raw.request("tools/call", { name: "huge_text", arguments: { bytes: 70_000 } });
      const result = over.result as { isError?: boolean; content: { text: string }[] };
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(/over the 65536-byte limit of one message/);
      raw.child.stdin.end();
      expect(await raw.exited).toEqual({ code: 0, signal: null });
    } finally {
      small.remove();
    }
  }, 60_000);
});
