// The runtime's cost per tools/call, in process: JSON-RPC lines go into the transport-neutral
// Connection that serve() drives (or into serve() itself over in-memory streams), answers are
// counted, not kept. Compared with the floor (JSON.parse, the same handler, JSON.stringify of the
// answer) and with handlers that use one feature of the context each, so every feature's price
// shows. Also heap bytes allocated per request.
//
//   npm run build && node bench/micro/request-cost.mjs [--requests 20000] [--samples 15] [--window 32]
//
// A client keeps --window requests in flight: it sends that many, waits for all their answers,
// sends the next lot. Variants run round-robin after one warm-up round; figures are µs per
// request (wall time of a sample / requests). Allocation: after a full GC, the growth of the heap
// over 200 requests, in windows no GC ran in (checked with a PerformanceObserver).
import { createRequire } from "node:module";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { PassThrough, Writable } from "node:stream";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { serve } from "../../dist/runtime/serve.js";
import {
  CountingOutbound,
  callLine,
  connect,
  environment,
  fixed,
  median,
  numberArg,
  printTable,
  SERVER,
  TWO_NUMBERS,
} from "./harness.mjs";

const REQUESTS = numberArg("requests", 20_000);
const SAMPLES = numberArg("samples", 15);
const WINDOW = numberArg("window", 32);
const ALLOC_REQUESTS = 200;
const ALLOC_WINDOWS = 7;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

// ---- Handlers, as users write them, and entries as the compiler emits them ---------------------

async function add(a, b) {
  return a + b;
}
function addSync(a, b) {
  return a + b;
}
async function addWithSignal(ctx, a, b) {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  return a + b;
}
async function addWithListener(ctx, a, b) {
  const onAbort = () => {};
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    return a + b;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
}
async function addInChild(ctx, a, b) {
  return ctx.spawn(async () => a + b);
}
async function addWithProgress(ctx, a, b) {
  ctx.progress(1, 1);
  return a + b;
}
async function addWithLog(ctx, a, b) {
  ctx.log.info("adding");
  return a + b;
}
async function addWithCheckpoints(ctx, a, b) {
  for (let i = 0; i < 10; i++) ctx.checkpoint();
  return a + b;
}

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020.js").default;
const ajv = new Ajv2020({ allErrors: true, strictTypes: false, ownProperties: true, inlineRefs: false });
const validate = ajv.compile(TWO_NUMBERS);

const tool = (name, invoke, extra) => ({ name, inputSchema: TWO_NUMBERS, invoke, ...extra });
const tools = [
  tool("add", (_ctx, a) => add(a.a, a.b)),
  tool("add_sync", (_ctx, a) => addSync(a.a, a.b)),
  tool("add_validated", (_ctx, a) => add(a.a, a.b), { validate }),
  tool("add_timeout", (_ctx, a) => add(a.a, a.b), { timeoutMs: 5000 }),
  tool("add_checkpoints", (ctx, a) => addWithCheckpoints(ctx, a.a, a.b)),
  tool("add_signal", (ctx, a) => addWithSignal(ctx, a.a, a.b)),
  tool("add_listener", (ctx, a) => addWithListener(ctx, a.a, a.b)),
  tool("add_child", (ctx, a) => addInChild(ctx, a.a, a.b)),
  tool("add_progress", (ctx, a) => addWithProgress(ctx, a.a, a.b)),
  tool("add_log", (ctx, a) => addWithLog(ctx, a.a, a.b)),
];

// ---- Ways to serve a request ---------------------------------------------------------------------

/** The floor: what any server must do for this call, with nothing of the runtime. */
function floor() {
  const out = new CountingOutbound();
  const handle = async (line) => {
    const { id, params } = JSON.parse(line);
    const value = await add(params.arguments.a, params.arguments.b);
    const result = { content: [{ type: "text", text: String(value) }] };
    out.send(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);
  };
  const feed = (lines) => {
    for (const line of lines) void handle(line);
  };
  return { out, feed };
}

/** The Connection, as serve() uses it, minus framing and the outbox. */
function connection(options) {
  const { connection, out } = connect(tools, options);
  const feed = (lines) => {
    for (const line of lines) connection.receive(line);
  };
  return { out, feed };
}

/** serve() over in-memory streams: framing, flow control and the batching outbox included. */
async function served() {
  const out = new CountingOutbound();
  const input = new PassThrough();
  const output = new Writable({
    decodeStrings: false,
    write(chunk, _encoding, done) {
      for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", at + 1)) out.send("");
      out.lastResponse = chunk.slice(chunk.lastIndexOf("\n", chunk.length - 2) + 1);
      done();
    },
  });
  serve({ server: SERVER, tools }, { input, output, report: (message) => console.error(message) });
  input.write(
    `${JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "micro", version: "1" } } })}\n`,
  );
  await out.until(1); // the initialize answer
  const chunks = new Map(); // lines → one Buffer, made before the clock starts
  const prepare = (lots) => {
    for (const lines of lots) chunks.set(lines, Buffer.from(`${lines.join("\n")}\n`));
  };
  return { out, prepare, feed: (lines) => input.write(chunks.get(lines)) };
}

// ---- Variants ------------------------------------------------------------------------------------

const main = connection({}); // as a built server runs: 60 s default budget
const noBudget = connection({ requestTimeoutMs: 0 });
const variants = [
  { name: "floor: JSON.parse + handler + JSON.stringify", via: floor(), tool: "add" },
  { name: "Connection, async handler (60 s server budget)", via: main, tool: "add" },
  { name: "  no server budget (requestTimeoutMs: 0)", via: noBudget, tool: "add" },
  { name: "  sync handler", via: main, tool: "add_sync" },
  { name: "  @timeout 5s instead of the server budget", via: main, tool: "add_timeout" },
  { name: "  + ajv argument validation", via: main, tool: "add_validated" },
  { name: "  + 10 × ctx.checkpoint()", via: main, tool: "add_checkpoints" },
  { name: "  + reads ctx.signal (AbortController)", via: main, tool: "add_signal" },
  { name: "  + adds/removes an abort listener", via: main, tool: "add_listener" },
  { name: "  + ctx.spawn() one child, awaited", via: main, tool: "add_child" },
  { name: "  + ctx.progress() (progressToken sent)", via: main, tool: "add_progress", progress: true },
  { name: "  + ctx.log.info() (one notification)", via: main, tool: "add_log" },
  { name: "serve() over in-memory streams, async handler", via: await served(), tool: "add" },
];

let nextId = 1;
/** Request lines in windows; ids go on growing, so no two requests in flight share one. */
function windows(variant, count) {
  const lots = [];
  for (let sent = 0; sent < count; sent += WINDOW) {
    const lot = [];
    for (let i = sent; i < Math.min(count, sent + WINDOW); i++) {
      const id = nextId++;
      lot.push(callLine(id, variant.tool, { a: 1, b: 2 }, variant.progress ? id : undefined));
    }
    lots.push(lot);
  }
  return lots;
}

async function drive(variant, lots) {
  const { out, feed } = variant.via;
  let expected = out.responses;
  for (const lot of lots) {
    feed(lot);
    expected += lot.length;
    await out.until(expected);
  }
}

// ---- Time ----------------------------------------------------------------------------------------

for (const variant of variants) {
  variant.us = [];
  variant.lots = windows(variant, REQUESTS);
  variant.via.prepare?.(variant.lots);
  const notificationsBefore = variant.via.out.notifications;
  await drive(variant, variant.lots); // warm-up round
  const answer = variant.via.out.lastResponse;
  if (!answer.includes('"text":"3"') || answer.includes("isError")) {
    throw new Error(`${variant.name}: unexpected answer ${answer}`);
  }
  const notified = variant.via.out.notifications - notificationsBefore;
  if ((variant.tool === "add_progress" || variant.tool === "add_log") !== (notified === REQUESTS)) {
    throw new Error(`${variant.name}: ${notified} notifications for ${REQUESTS} requests`);
  }
}
for (let sample = 0; sample < SAMPLES; sample++) {
  for (const variant of variants) {
    // New ids each sample would mean new lines; the old ones are fine: nothing is in flight.
    const start = process.hrtime.bigint();
    await drive(variant, variant.lots);
    variant.us.push(Number(process.hrtime.bigint() - start) / 1000 / REQUESTS);
  }
}

// ---- Allocation ----------------------------------------------------------------------------------

const gcs = [];
const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
observer.observe({ entryTypes: ["gc"] });
const allocWindows = [];
for (let round = 0; round < ALLOC_WINDOWS; round++) {
  for (const variant of variants) {
    const lots = windows(variant, ALLOC_REQUESTS);
    variant.via.prepare?.(lots);
    gc();
    const start = performance.now();
    const before = getHeapStatistics().used_heap_size;
    await drive(variant, lots);
    const after = getHeapStatistics().used_heap_size;
    allocWindows.push({ variant, start, end: performance.now(), bytes: (after - before) / ALLOC_REQUESTS });
  }
}
await new Promise((resolve) => setTimeout(resolve, 50)); // let the observer catch up
observer.disconnect();
for (const variant of variants) {
  const clean = allocWindows.filter(
    (w) =>
      w.variant === variant && !gcs.some((g) => g.startTime < w.end && g.startTime + g.duration > w.start),
  );
  variant.bytes = clean.length === 0 ? undefined : median(clean.map((w) => w.bytes));
  variant.cleanWindows = clean.length;
}

// ---- Report --------------------------------------------------------------------------------------

console.log(
  `tools/call cost: ${REQUESTS} requests per sample, ${SAMPLES} samples, ${WINDOW} in flight at a time`,
);
console.log(environment());
console.log();
const floorUs = median(variants[0].us);
const baseUs = median(variants[1].us);
const rows = [["variant", "median µs/req", "min–max", "vs floor", "vs base", "bytes/req"]];
for (const { name, us, bytes } of variants) {
  const m = median(us);
  rows.push([
    name,
    fixed(m),
    `${fixed(Math.min(...us))}–${fixed(Math.max(...us))}`,
    `${fixed(m / floorUs, 1)}×`,
    `${m >= baseUs ? "+" : ""}${fixed(m - baseUs)}`,
    bytes === undefined ? "n/a" : Math.round(bytes),
  ]);
}
printTable(rows);
const dirty = variants.filter((v) => v.cleanWindows < ALLOC_WINDOWS);
if (dirty.length > 0) {
  console.log(
    `\n(allocation: ${dirty.map((v) => `${v.name.trim()}: ${v.cleanWindows}`).join("; ")} of ${ALLOC_WINDOWS} windows without GC)`,
  );
}
