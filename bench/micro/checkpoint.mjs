// The cost of ctx.checkpoint() on the request context the server really hands to handlers: a
// RequestScope that a Connection created for a tools/call (see harness.mjs), held open by a tool
// that never settles. Target: about a field read, under 20 ns per call.
//
//   npm run build && node bench/micro/checkpoint.mjs [--calls 10000000] [--samples 15]
//   node --no-turbo-inlining bench/micro/checkpoint.mjs   # as if the JIT did not inline the call
//
// Each sample is one loop of --calls iterations doing `acc = (acc + i) | 0` plus the operation
// under test; acc is returned and folded into a sink that is checked at the end, so the JIT cannot
// drop the loop. Variants run round-robin (3 warm-up rounds first), so a burst of load on a shared
// machine hits every variant alike. Each variant has its own loop function, as each handler has
// its own call site; the request-context variants share one, as one handler sees every state.
import { createTestContext } from "../../dist/runtime/test-context.js";
import { connect, environment, fixed, median, numberArg, printTable } from "./harness.mjs";

const CALLS = numberArg("calls", 10_000_000);
const SAMPLES = numberArg("samples", 15);
const WARMUP = 3;

// ---- Live request contexts, created the way the runtime creates them -------------------------

const held = [];
const never = new Promise(() => {});
const { connection } = connect(
  [
    {
      name: "hold",
      inputSchema: { type: "object" },
      invoke: (ctx) => {
        held.push(ctx);
        return never;
      },
    },
  ],
  // No server budget: a 60 s default would cancel the held requests during a long run.
  { requestTimeoutMs: 0 },
);
function liveContext() {
  const id = `hold-${held.length}`;
  connection.receive(JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "hold" } }));
  return held[held.length - 1];
}

const live = liveContext();
if (live.constructor.name !== "RequestScope")
  throw new Error(`expected a RequestScope, got ${live.constructor.name}`);

const masked = liveContext();
void masked.masked(() => never); // the mask stays open for the whole run

const maskedCancelled = liveContext();
void maskedCancelled.masked(() => never);
connection.receive(
  JSON.stringify({
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId: `hold-${held.length - 1}`, reason: "bench" },
  }),
);
if (maskedCancelled.stop === undefined || maskedCancelled.cancelled)
  throw new Error("expected a pending cancel");

const withSignal = liveContext();
const signal = withSignal.signal; // creates the AbortController (lazy)
signal.addEventListener("abort", () => {});

let child;
void live.spawn((ctx) => {
  child = ctx;
  return never;
});

const testContext = createTestContext({ progressToken: null });

// ---- The loops ------------------------------------------------------------------------------

function emptyLoop(_ctx, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + i) | 0;
  return acc;
}

const plain = { stop: undefined, maskDepth: 0, zero: 0 };

function fieldReadLoop(object, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + i) ^ object.zero; // the same result as | 0
  return acc;
}

/** What checkpoint() does, written inline on a plain object. */
function inlineCheckLoop(object, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if (object.stop !== undefined && object.maskDepth === 0) throw object.stop;
    acc = (acc + i) | 0;
  }
  return acc;
}

function checkpointLoop(ctx, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    ctx.checkpoint();
    acc = (acc + i) | 0;
  }
  return acc;
}

function childCheckpointLoop(ctx, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    ctx.checkpoint();
    acc = (acc + i) | 0;
  }
  return acc;
}

/** Fed both request and child contexts: a polymorphic call site, like a helper given either. */
function sharedCheckpointLoop(ctx, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    ctx.checkpoint();
    acc = (acc + i) | 0;
  }
  return acc;
}

function testCheckpointLoop(ctx, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    ctx.checkpoint();
    acc = (acc + i) | 0;
  }
  return acc;
}

const variants = [
  { name: "empty loop (acc = (acc + i) | 0)", loop: emptyLoop, on: undefined },
  { name: "+ plain field read", loop: fieldReadLoop, on: plain },
  { name: "+ checkpoint's test inline, plain object", loop: inlineCheckLoop, on: plain },
  { name: "+ ctx.checkpoint(), live request", loop: checkpointLoop, on: live },
  { name: "+ ctx.checkpoint(), inside masked()", loop: checkpointLoop, on: masked },
  { name: "+ ctx.checkpoint(), masked, cancel pending", loop: checkpointLoop, on: maskedCancelled },
  { name: "+ ctx.checkpoint(), after ctx.signal was read", loop: checkpointLoop, on: withSignal },
  { name: "+ ctx.checkpoint(), spawned child context", loop: childCheckpointLoop, on: child },
  { name: "+ ctx.checkpoint(), shared site, request context", loop: sharedCheckpointLoop, on: live },
  { name: "+ ctx.checkpoint(), shared site, child context", loop: sharedCheckpointLoop, on: child },
  { name: "+ ctx.checkpoint(), createTestContext()", loop: testCheckpointLoop, on: testContext },
];

// ---- Run ------------------------------------------------------------------------------------

const expected = emptyLoop(undefined, CALLS);
for (const variant of variants) variant.ns = [];
for (let round = 0; round < WARMUP + SAMPLES; round++) {
  for (const variant of variants) {
    const start = process.hrtime.bigint();
    const acc = variant.loop(variant.on, CALLS);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (acc !== expected) throw new Error(`${variant.name}: wrong result`);
    if (round >= WARMUP) variant.ns.push(elapsed / CALLS);
  }
}

console.log(`ctx.checkpoint(): ${CALLS} calls per sample, ${SAMPLES} samples (${WARMUP} warm-up rounds)`);
console.log(environment());
console.log(`every loop returned the expected result\n`);
const base = median(variants[0].ns);
const rows = [["variant", "median ns/call", "min–max", "median − empty loop"]];
for (const { name, ns } of variants) {
  const m = median(ns);
  rows.push([name, fixed(m), `${fixed(Math.min(...ns))}–${fixed(Math.max(...ns))}`, fixed(m - base)]);
}
printTable(rows);
const worst = Math.max(...variants.slice(3).map(({ ns }) => median(ns) - base));
console.log(
  `\n${worst < 20 ? "PASS" : "FAIL"}: checkpoint overhead at most ${fixed(worst)} ns/call (target < 20 ns)`,
);
