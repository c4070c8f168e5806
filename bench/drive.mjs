#!/usr/bin/env node
// Benchmark driver for stdio MCP servers: plain Node, no MCP SDK. It spawns each server command,
// speaks newline-delimited JSON-RPC to it and measures several servers INTERLEAVED in one run, so
// that drift on a noisy machine lands on all of them alike.
//
// Modes
//   calls (default)  cold start (spawn → initialize answered; ready = → tools/list answered; time to
//                    exit after stdin EOF), sequential `echo` latency, pipelined throughput of an
//                    echo/add/search mix with a fixed number of requests in flight, the server's CPU
//                    per call over the pipelined phase (/proc/<pid>/stat, whole process tree), idle
//                    and peak RSS, and whether bad arguments are rejected (informational).
//   startup          (--startup-only) cold start / ready and warm `tools/list` latency and size, for
//                    servers with many tools; the tool count must equal --expect-tools.
//
// Every reply is checked: its id must belong to an outstanding request and arrive exactly once, and
// the result must match the tool contract (see bench/README.md). A wrong, missing, late or
// duplicated reply sets `valid: false` on that server's record, which voids all its figures.
//
// Usage
//   node bench/drive.mjs --server loop="node servers/loop.mjs" --server sdk="node servers/sdk.mjs"
//   node bench/drive.mjs --from bench/servers/index.mjs --size 3 --only loop,fastmcp-ts
//   node bench/drive.mjs --from bench/servers/index.mjs --size 100 --startup-only --expect-tools 100
//   node bench/drive.mjs -h                       # all options
// Output: one JSON object per server (and one for the `node -e 0` floor with --floor) per line on
// stdout; a readable summary on stderr (--quiet turns it off).
//
// As a module: `drive(servers, options)` → array of records; `DEFAULTS` holds the default options.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

export const DEFAULTS = {
  mode: "calls", // "calls" | "startup"
  cold: 10, // spawns per server for cold start
  seq: 2000, // measured sequential echo calls per server
  seqWarmup: 300,
  pipe: 30000, // measured pipelined calls per server
  pipeWarmup: 20000, // unmeasured pipelined calls first: JIT-compiled servers need this many to settle
  depth: 64, // requests kept in flight in the pipelined phase
  chunks: 5, // measured phases are cut into this many pieces that alternate between servers
  list: 200, // measured warm tools/list requests per server (startup mode)
  listWarmup: 20,
  expectTools: undefined, // exact tool count required in tools/list (undefined: not checked)
  floor: false, // also time `node -e 0` spawn → exit, interleaved with the cold starts
  rotate: 0, // start the server order at this offset
  stallMs: 10000, // no reply for this long while requests are outstanding → they count as missing
  termMs: 3000, // after stdin EOF, wait this long before SIGTERM, and as long again before SIGKILL
  quiet: false,
};

const PROTOCOL_VERSION = "2025-11-25";
const INIT_PARAMS = {
  protocolVersion: PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: "fastmcp-ts-bench-driver", version: "1.0.0" },
};
const MAX_PROBLEM_TEXTS = 20;

// ---------------------------------------------------------------------------------------------
// The tool contract: deterministic arguments and the expected result for call number i

const MESSAGES = [
  "hello",
  "grüße aus Köln — ☕ 世界 🌍",
  'she said "hi" and left',
  "back\\slash \\n not a newline \\u0041",
  "tab\tand\nnewline\r\nand \u2028 separator",
  "",
  "emoji 👩‍💻🏳️‍🌈 and combining é",
  `${"long ".repeat(60)}end`,
];
const LIMITS = [undefined, 1, 2, 3, 7, 100];
const FILTERS = [
  undefined,
  { tags: [] },
  { tags: ["red", "blue"] },
  { tags: ["ünï"], since: "2024-02-29T12:34:56Z" },
  { tags: ["a", "b", "c"], since: "2025-01-01T00:00:00.123Z" },
];

function echoCall(i) {
  const message = MESSAGES[i % MESSAGES.length] + (i % 5 === 0 ? "" : ` #${i}`);
  return { name: "echo", arguments: { message }, expect: { text: message } };
}

function addCall(i) {
  let a = (((i * 7919) % 2001) - 1000) / 4;
  let b = (((i * 104729) % 1999) - 999) / 8;
  if (i % 11 === 0) [a, b] = [0.1, 0.2]; // "0.30000000000000004"
  if (i % 13 === 0) [a, b] = [2 ** 53, 2]; // "9007199254740994"
  if (i % 17 === 0) [a, b] = [1e21, 1]; // "1e+21"
  return { name: "add", arguments: { a, b }, expect: { text: String(a + b) } };
}

function searchCall(i) {
  const query = `q${i} "ç" \\ ${i % 4 === 0 ? "日本" : "x"}`;
  const limit = LIMITS[i % LIMITS.length];
  const filters = FILTERS[Math.floor(i / LIMITS.length) % FILTERS.length];
  const args = { query };
  if (limit !== undefined) args.limit = limit;
  if (filters !== undefined) args.filters = filters;
  const n = Math.min(limit ?? 10, 3);
  const hits = [];
  for (let k = 1; k <= n; k++) hits.push({ id: k, title: `${query} #${k}` });
  const json = { query, limit: limit ?? 10, tags: filters?.tags ?? [], since: filters?.since ?? null, hits };
  return { name: "search", arguments: args, expect: { json } };
}

/** Call number i of the deterministic 1:1:1 echo/add/search mix. */
export function mixCall(i) {
  const kind = i % 3;
  const j = Math.floor(i / 3);
  return kind === 0 ? echoCall(j) : kind === 1 ? addCall(j) : searchCall(j);
}

/** Arguments a validating server should reject (informational only). */
const BAD_CALLS = [
  { label: 'add {a:"x"}', name: "add", arguments: { a: "x", b: 1 } },
  { label: "search {limit:0}", name: "search", arguments: { query: "q", limit: 0 } },
  {
    label: 'search {since:"not-a-date"}',
    name: "search",
    arguments: { query: "q", filters: { tags: [], since: "not-a-date" } },
  },
];

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

const short = (v) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** Checks a tools/call reply against the expected text or JSON; returns a problem or null. */
function checkToolResult(msg, expect) {
  if (msg.error) return `error reply ${short(msg.error)}`;
  const r = msg.result;
  if (r === null || typeof r !== "object") return `result is not an object: ${short(r)}`;
  if (r.isError) return `isError result ${short(r)}`;
  if (!Array.isArray(r.content) || r.content.length !== 1) return `content is not one item: ${short(r)}`;
  const c = r.content[0];
  if (c?.type !== "text" || typeof c.text !== "string") return `content is not text: ${short(c)}`;
  if (expect.json !== undefined) {
    let got;
    try {
      got = JSON.parse(c.text);
    } catch {
      return `text is not JSON: ${short(c.text)}`;
    }
    return deepEqual(got, expect.json) ? null : `got ${short(c.text)}, expected ${short(expect.json)}`;
  }
  return c.text === expect.text ? null : `got text ${short(c.text)}, expected ${short(expect.text)}`;
}

function checkInitialize(msg) {
  if (msg.error) return `initialize failed: ${short(msg.error)}`;
  const r = msg.result;
  if (typeof r?.protocolVersion !== "string") return "initialize result has no protocolVersion";
  if (typeof r.capabilities?.tools !== "object") return "initialize result has no tools capability";
  return null;
}

/** tools/list check: every tool has a name and an object input schema, names are unique. */
function listChecker(expectTools, needNames) {
  return (msg) => {
    if (msg.error) return `tools/list failed: ${short(msg.error)}`;
    const tools = msg.result?.tools;
    if (!Array.isArray(tools)) return "tools/list result has no tools array";
    const names = new Set();
    for (const t of tools) {
      if (typeof t?.name !== "string") return `tool without a name: ${short(t)}`;
      if (t.inputSchema?.type !== "object") return `tool ${t.name} has no object inputSchema`;
      if (names.has(t.name)) return `tool ${t.name} listed twice`;
      names.add(t.name);
    }
    if (expectTools !== undefined && tools.length !== expectTools) {
      return `tools/list has ${tools.length} tools, expected ${expectTools}`;
    }
    const absent = needNames.filter((n) => !names.has(n));
    if (absent.length > 0) return `tools/list lacks ${absent.join(", ")}`;
    if (msg.result.nextCursor !== undefined) return "tools/list is paginated (nextCursor), not supported";
    return null;
  };
}

// ---------------------------------------------------------------------------------------------
// /proc readings: the process tree of a server, its CPU time and memory

let clockTicks;
function clkTck() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat after the command name (index 0 = state, 1 = ppid, 11 = utime…). */
function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The pid and all its live descendants. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const f = statFields(entry);
    if (!f) continue;
    const ppid = Number(f[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/**
 * CPU time of a process tree: `ticks` = utime+stime+cutime+cstime from /proc/<pid>/stat (the
 * figure used for CPU/call; cutime/cstime keep the time of reaped children), and `ns` = the sum of
 * /proc/<pid>/task/<tid>/schedstat run times (nanosecond resolution, live threads only), kept as a
 * cross-check of the tick-based figure.
 */
export function treeCpu(root) {
  let ticks = 0;
  let ns = 0;
  for (const pid of processTree(root)) {
    const f = statFields(pid);
    if (!f) continue;
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      }
    } catch {
      // thread or process gone, or no schedstat: the tick figure still stands
    }
  }
  return { ticks, ns };
}

/** Sum of VmRSS and VmHWM (kB) over the process tree. */
export function treeMemory(root) {
  let rss = 0;
  let hwm = 0;
  for (const pid of processTree(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      rss += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      hwm += Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return { rssKb: rss, hwmKb: hwm };
}

// ---------------------------------------------------------------------------------------------
// Session: one spawned server process and the JSON-RPC bookkeeping around it

class Session {
  constructor(spec, options) {
    this.name = spec.name;
    this.argv = spec.command;
    this.options = options;
    this.problems = []; // first MAX_PROBLEM_TEXTS problem texts
    this.problemCount = 0;
    this.pending = new Map(); // id → { method, check, resolve, tSend }
    this.missing = new Set(); // ids given up on (a reply to them later is "late")
    this.nextId = 1;
    this.notifications = {}; // method → count
    this.serverRequests = {}; // method → count
    this.buf = "";
    this.collecting = false; // pipelined phase: keep reply lines raw, check them after the clock
    this.collected = [];
    this.received = 0;
    this.onChunk = null;
    this.onStall = null;
    this.onIdle = null;
    this.lastActivity = 0;
    this.stderrTail = "";
    this.exit = null; // { code, signal, t }
    this.closing = false;
  }

  problem(text) {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEM_TEXTS) this.problems.push(text);
  }

  spawn() {
    const [cmd, ...args] = this.argv;
    this.t0 = performance.now();
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.pid = this.child.pid;
    this.lastActivity = this.t0;
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk) => this.onData(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (s) => {
      this.stderrTail = (this.stderrTail + s).slice(-2000);
    });
    this.child.stdin.on("error", (e) => {
      if (!this.closing) this.problem(`stdin: ${e.message}`);
    });
    this.exited = new Promise((resolveExit) => {
      this.child.on("error", (e) => {
        this.problem(`spawn failed: ${e.message}`);
        this.exit ??= { code: null, signal: null, t: performance.now() };
        this.stall("the process could not be spawned");
        resolveExit();
      });
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal, t: performance.now() };
        if (!this.closing) {
          this.problem(`exited unexpectedly (code ${code}, signal ${signal}) ${short(this.stderrTail)}`);
        }
        this.stall("the process exited");
        resolveExit();
      });
    });
    this.closed = new Promise((r) => this.child.on("close", r));
    this.watchdog = setInterval(() => this.checkStall(), 200);
    this.watchdog.unref();
  }

  onData(chunk) {
    const t = performance.now();
    this.lastActivity = t;
    let buf = this.buf + chunk;
    let start = 0;
    let nl = buf.indexOf("\n");
    while (nl !== -1) {
      if (nl > start) this.onLine(buf.slice(start, nl), t);
      start = nl + 1;
      nl = buf.indexOf("\n", start);
    }
    buf = start === buf.length ? "" : buf.slice(start);
    this.buf = buf;
    if (this.onChunk !== null) this.onChunk(t);
  }

  onLine(line, t) {
    // On the pipelined clock, lines without a "method" key are replies: count them, check later.
    if (this.collecting && line.indexOf('"method"') === -1) {
      this.collected.push(line);
      this.received++;
      return;
    }
    if (line.trim() === "") return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.problem(`unparseable line from server: ${short(line)}`);
      return;
    }
    if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
      this.problem(`not a JSON-RPC message: ${short(line)}`);
    } else if (typeof msg.method === "string") {
      if (msg.id === undefined) {
        this.notifications[msg.method] = (this.notifications[msg.method] ?? 0) + 1;
      } else {
        this.serverRequests[msg.method] = (this.serverRequests[msg.method] ?? 0) + 1;
        this.answerServer(msg);
      }
    } else {
      if (this.collecting) this.received++;
      this.onResponse(msg, t, line);
    }
  }

  /** Server → client requests get a minimal answer, so that no server waits on us. */
  answerServer(msg) {
    let reply;
    if (msg.method === "ping") reply = { jsonrpc: "2.0", id: msg.id, result: {} };
    else if (msg.method === "roots/list") reply = { jsonrpc: "2.0", id: msg.id, result: { roots: [] } };
    else reply = { jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } };
    this.write(`${JSON.stringify(reply)}\n`);
  }

  onResponse(msg, t, line) {
    const id = msg.id;
    const entry = this.pending.get(id);
    if (entry === undefined) {
      if (this.missing.has(id)) this.problem(`late reply for id ${id}`);
      else if (Number.isInteger(id) && id > 0 && id < this.nextId)
        this.problem(`duplicate reply for id ${id}`);
      else this.problem(`reply with unknown id ${short(id)}: ${short(line)}`);
      return;
    }
    this.pending.delete(id);
    if (msg.jsonrpc !== "2.0") this.problem(`${entry.method} id ${id}: jsonrpc is not "2.0"`);
    if (entry.check !== null) {
      const p = entry.check(msg);
      if (p !== null) this.problem(`${entry.method} id ${id}: ${p}`);
    }
    if (entry.resolve !== null) entry.resolve({ msg, t, tSend: entry.tSend, bytes: Buffer.byteLength(line) });
    if (this.pending.size === 0 && this.onIdle) this.onIdle();
  }

  /** Marks every outstanding request as missing, e.g. when the server stalls or exits. */
  giveUp(why) {
    if (this.pending.size === 0) return;
    const ids = [...this.pending.keys()];
    this.problem(`no reply to ${ids.length} request(s) (${ids.slice(0, 5).join(", ")}…): ${why}`);
    for (const [id, entry] of this.pending) {
      this.missing.add(id);
      entry.resolve?.({ missing: true });
    }
    this.pending.clear();
    this.onIdle?.();
  }

  /** Replies stopped coming: a pipelined phase first checks what it collected, then gives up. */
  stall(reason) {
    if (this.onStall !== null) {
      this.stallReason = reason;
      this.onStall();
    } else this.giveUp(reason);
  }

  checkStall() {
    if (this.pending.size > 0 && performance.now() - this.lastActivity > this.options.stallMs) {
      this.stall(`nothing received for ${this.options.stallMs} ms`);
    }
  }

  write(s) {
    if (this.exit === null && !this.child.stdin.destroyed) this.child.stdin.write(s);
  }

  /** Sends a request; resolves to { msg, t, tSend, bytes } or { missing: true }. */
  request(method, params, check = null) {
    const id = this.nextId++;
    const line = `${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`;
    return new Promise((resolveReply) => {
      const label = method === "tools/call" ? `tools/call ${params.name}` : method;
      const entry = { method: label, check, resolve: resolveReply, tSend: 0 };
      if (this.exit !== null) {
        this.missing.add(id);
        this.problem(`${method} id ${id} not sent: the server has exited`);
        resolveReply({ missing: true });
        return;
      }
      this.pending.set(id, entry);
      entry.tSend = performance.now();
      this.lastActivity = entry.tSend;
      this.child.stdin.write(line);
    });
  }

  notify(method, params) {
    this.write(
      `${JSON.stringify(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params })}\n`,
    );
  }

  /** Resolves once no request is outstanding (or the stragglers were given up on). */
  idle() {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => {
      this.onIdle = () => {
        this.onIdle = null;
        r();
      };
    });
  }

  /** initialize → notifications/initialized → tools/list; returns the times and the list reply. */
  async handshake(listCheck) {
    const init = await this.request("initialize", INIT_PARAMS, checkInitialize);
    if (init.missing) return null;
    this.notify("notifications/initialized");
    const list = await this.request("tools/list", {}, listCheck);
    if (list.missing) return null;
    return { coldMs: init.t - this.t0, readyMs: list.t - this.t0, listBytes: list.bytes };
  }

  /**
   * Pipelined phase: `calls` are sent with `depth` of them in flight; each stdout chunk tops the
   * window up in a single write. Replies are only split and counted on the clock, then parsed and
   * checked. Returns { ms, calls } or null if replies went missing.
   */
  async pipelined(calls, depth) {
    const lines = new Array(calls.length);
    for (let i = 0; i < calls.length; i++) {
      const id = this.nextId++;
      const { name, arguments: args, expect } = calls[i];
      lines[i] =
        `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } })}\n`;
      this.pending.set(id, {
        method: `tools/call ${name}`,
        check: (m) => checkToolResult(m, expect),
        resolve: null,
      });
    }
    const firstId = this.nextId - calls.length;
    const total = calls.length;
    this.collected = [];
    this.received = 0;
    let sent = 0;
    let t1 = null;
    let driverUs = 0;
    let cpu0;
    const topUp = () => {
      const upTo = Math.min(total, this.received + depth);
      if (upTo <= sent) return;
      let out = "";
      while (sent < upTo) out += lines[sent++];
      this.write(out);
    };
    const done = new Promise((finish) => {
      this.onChunk = (t) => {
        if (this.received >= total) {
          t1 = t;
          const d = process.cpuUsage(cpu0);
          driverUs = d.user + d.system;
          finish();
        } else topUp();
      };
      this.onStall = finish;
    });
    this.collecting = true;
    cpu0 = process.cpuUsage();
    const t0 = performance.now();
    this.lastActivity = t0;
    topUp();
    await done;
    this.collecting = false;
    this.onChunk = null;
    this.onStall = null;
    // Requests that were never sent are not missing replies.
    for (let i = sent; i < total; i++) this.pending.delete(firstId + i);
    const collected = this.collected;
    this.collected = [];
    for (const line of collected) this.onLine(line, t1 ?? performance.now());
    if (t1 === null) this.giveUp(this.stallReason);
    // Bogus or duplicated lines may have ended the clock early: wait for the real stragglers.
    await this.idle();
    return t1 === null ? null : { ms: t1 - t0, calls: total, driverUs };
  }

  /** Closes stdin (the MCP stdio way to stop a server); SIGTERM, then SIGKILL, if it lingers. */
  async shutdown() {
    clearInterval(this.watchdog);
    if (this.exit !== null) {
      await this.closed;
      return { ms: null, by: "exited-before" };
    }
    this.closing = true;
    const tEof = performance.now();
    let by = "eof";
    let killTimer;
    const termTimer = setTimeout(() => {
      by = "SIGTERM";
      this.child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        by = "SIGKILL";
        this.child.kill("SIGKILL");
      }, this.options.termMs);
    }, this.options.termMs);
    this.child.stdin.end();
    await this.exited;
    clearTimeout(termTimer);
    clearTimeout(killTimer);
    // Drain stdout (late or duplicated replies are still checked), but do not wait on grandchildren.
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 1000))]);
    return { ms: this.exit.t - tEof, by, code: this.exit.code };
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function quantile(values, q) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

export function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const round = (x, digits = 1) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const rotated = (list, k) => list.map((_, i) => list[(i + k) % list.length]);

/** Splits n into `chunks` near-equal positive parts. */
function parts(n, chunks) {
  const c = Math.max(1, Math.min(chunks, n));
  return Array.from({ length: c }, (_, i) => Math.floor((n * (i + 1)) / c) - Math.floor((n * i) / c));
}

// ---------------------------------------------------------------------------------------------
// The phases

/** One cold start of a server: spawn → initialize → ready → EOF → exit. */
async function coldStart(spec, options, listCheck, rec) {
  const s = new Session(spec, options);
  s.spawn();
  const h = await s.handshake(listCheck);
  const exit = await s.shutdown();
  mergeProblems(rec, s, "cold start");
  rec.cold.cold_ms.push(h ? round(h.coldMs, 2) : null);
  rec.cold.ready_ms.push(h ? round(h.readyMs, 2) : null);
  rec.cold.exit_ms.push(exit.ms === null ? null : round(exit.ms, 2));
  rec.cold.exit_by[exit.by] = (rec.cold.exit_by[exit.by] ?? 0) + 1;
}

/** `node -e 0`, spawn → exit: the floor under every Node server's cold start. */
function nodeFloor() {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    child.on("exit", () => done(performance.now() - t0));
    child.on("error", () => done(null));
  });
}

function mergeProblems(rec, session, phase) {
  for (const p of session.problems) {
    if (rec.problems.length < MAX_PROBLEM_TEXTS) rec.problems.push(`${phase}: ${p}`);
  }
  rec.problem_count += session.problemCount;
  if (session.problemCount > 0) rec.valid = false;
}

function newRecord(spec, options) {
  return {
    type: "server",
    mode: options.mode,
    name: spec.name,
    command: spec.command,
    valid: true,
    problem_count: 0,
    problems: [],
    cold: { n: 0, cold_ms: [], ready_ms: [], exit_ms: [], exit_by: {} },
  };
}

function finishCold(rec) {
  const c = rec.cold;
  c.n = c.cold_ms.length;
  c.cold_p50_ms = round(median(c.cold_ms), 2);
  c.ready_p50_ms = round(median(c.ready_ms), 2);
  c.exit_p50_ms = round(median(c.exit_ms), 2);
}

/**
 * Measures `servers` ([{ name, command: [cmd, ...args] }]) interleaved; returns one record per
 * server (plus a `floor` record with options.floor).
 */
export async function drive(servers, opts = {}) {
  const options = { ...DEFAULTS, ...opts };
  const log = options.quiet ? () => {} : (m) => process.stderr.write(`${m}\n`);
  const startup = options.mode === "startup";
  const needNames = startup ? [] : ["echo", "add", "search"];
  const listCheck = listChecker(options.expectTools, needNames);
  const order = rotated(servers, options.rotate % Math.max(1, servers.length));
  const records = new Map(order.map((spec) => [spec, newRecord(spec, options)]));
  const floor = { type: "floor", name: "node-floor", command: [process.execPath, "-e", "0"], exit_ms: [] };

  // 1. Cold starts, one spawn at a time: A B C (floor) A B C (floor) …, order rotating each pass.
  log(`cold start: ${options.cold} spawn(s) per server`);
  const coldList = options.floor ? [...order, null] : order;
  for (let i = 0; i < options.cold; i++) {
    for (const spec of rotated(coldList, i % coldList.length)) {
      if (spec === null) floor.exit_ms.push(round(await nodeFloor(), 2));
      else await coldStart(spec, options, listCheck, records.get(spec));
    }
  }
  for (const rec of records.values()) finishCold(rec);

  // 2. One long-lived session per server: handshake, idle RSS, warm-up.
  const sessions = [];
  for (const spec of order) {
    const rec = records.get(spec);
    const s = new Session(spec, options);
    s.spawn();
    const h = await s.handshake(listCheck);
    if (h === null) {
      mergeProblems(rec, s, "session");
      await s.shutdown();
      continue;
    }
    rec.list_bytes = h.listBytes;
    rec.idle_rss_mib = round(treeMemory(s.pid).rssKb / 1024, 2);
    if (startup) {
      for (let i = 0; i < options.listWarmup; i++) await s.request("tools/list", {}, listCheck);
    } else {
      for (let i = 0; i < options.seqWarmup; i++) {
        const c = echoCall(1_000_000 + i);
        await s.request("tools/call", { name: c.name, arguments: c.arguments }, (m) =>
          checkToolResult(m, c.expect),
        );
      }
      if (options.pipeWarmup > 0) {
        await s.pipelined(
          Array.from({ length: options.pipeWarmup }, (_, i) => mixCall(2_000_000 + i)),
          options.depth,
        );
      }
    }
    sessions.push({ spec, s, rec, samples: [], pipeMs: 0, pipeCalls: 0, ticks: 0, ns: 0, driverUs: 0 });
  }
  const alive = () => sessions.filter((x) => x.s.exit === null && x.s.problemCount === 0);

  if (startup) {
    // 3s. Warm tools/list latency, in chunks alternating between servers.
    log(`tools/list: ${options.list} request(s) per server in ${options.chunks} chunk(s)`);
    const listParts = parts(options.list, options.chunks);
    for (let c = 0; c < listParts.length; c++) {
      for (const x of rotated(alive(), c)) {
        for (let k = 0; k < listParts[c]; k++) {
          const r = await x.s.request("tools/list", {}, listCheck);
          if (r.missing) break;
          x.samples.push((r.t - r.tSend) * 1000);
        }
      }
    }
    for (const x of sessions) {
      x.rec.list = {
        n: x.samples.length,
        p50_us: round(median(x.samples), 1),
        p90_us: round(quantile(x.samples, 0.9), 1),
        bytes: x.rec.list_bytes,
      };
    }
  } else {
    // 3a. Sequential echo latency.
    log(`sequential: ${options.seq} echo call(s) per server in ${options.chunks} chunk(s)`);
    const seqParts = parts(options.seq, options.chunks);
    let callNo = 0;
    for (let c = 0; c < seqParts.length; c++) {
      for (const x of rotated(alive(), c)) {
        for (let k = 0; k < seqParts[c]; k++) {
          const call = echoCall(callNo + k);
          const r = await x.s.request("tools/call", { name: "echo", arguments: call.arguments }, (m) =>
            checkToolResult(m, call.expect),
          );
          if (r.missing) break;
          x.samples.push((r.t - r.tSend) * 1000);
        }
      }
      callNo += seqParts[c];
    }
    // 3b. Pipelined mix with server CPU per call.
    log(`pipelined: ${options.pipe} call(s) per server, depth ${options.depth}, ${options.chunks} chunk(s)`);
    const pipeParts = parts(options.pipe, options.chunks);
    callNo = 0;
    for (let c = 0; c < pipeParts.length; c++) {
      const calls = Array.from({ length: pipeParts[c] }, (_, i) => mixCall(callNo + i));
      for (const x of rotated(alive(), c)) {
        const cpu0 = treeCpu(x.s.pid);
        const r = await x.s.pipelined(calls, options.depth);
        const cpu1 = treeCpu(x.s.pid);
        if (r === null) continue;
        x.pipeMs += r.ms;
        x.pipeCalls += r.calls;
        x.ticks += cpu1.ticks - cpu0.ticks;
        x.ns += cpu1.ns - cpu0.ns;
        x.driverUs += r.driverUs;
      }
      callNo += pipeParts[c];
    }
    for (const x of sessions) {
      x.rec.seq = {
        n: x.samples.length,
        p50_us: round(median(x.samples), 1),
        p90_us: round(quantile(x.samples, 0.9), 1),
        p99_us: round(quantile(x.samples, 0.99), 1),
        mean_us: round(x.samples.reduce((a, b) => a + b, 0) / Math.max(1, x.samples.length), 1),
      };
      const sec = x.pipeMs / 1000;
      const cpuSec = x.ticks / clkTck();
      x.rec.pipe = {
        n: x.pipeCalls,
        depth: options.depth,
        seconds: round(sec, 3),
        calls_per_s: x.pipeCalls > 0 ? Math.round(x.pipeCalls / sec) : null,
        cpu_ticks: x.ticks,
        clk_tck: clkTck(),
        cpu_us_per_call: x.pipeCalls > 0 ? round((cpuSec * 1e6) / x.pipeCalls, 2) : null,
        cpu_sched_us_per_call: x.pipeCalls > 0 && x.ns > 0 ? round(x.ns / 1000 / x.pipeCalls, 2) : null,
        utilisation: sec > 0 ? round(cpuSec / sec, 2) : null,
        driver_cpu_us_per_call: x.pipeCalls > 0 ? round(x.driverUs / x.pipeCalls, 2) : null,
      };
      if (sec > 0 && sec < 0.2) x.rec.pipe.warning = "pipelined phase under 0.2 s: CPU ticks too coarse";
    }
  }

  // 4. Peak memory, rejected arguments (informational), shutdown.
  for (const x of sessions) {
    if (x.s.exit === null) {
      const mem = treeMemory(x.s.pid);
      x.rec.peak_rss_mib = round(mem.hwmKb / 1024, 2);
      if (startup) x.rec.idle_rss_mib ??= round(mem.rssKb / 1024, 2);
    }
    if (!startup && x.s.exit === null) {
      x.rec.rejects = {};
      for (const bad of BAD_CALLS) {
        const r = await x.s.request("tools/call", { name: bad.name, arguments: bad.arguments });
        x.rec.rejects[bad.label] = r.missing ? null : Boolean(r.msg.error || r.msg.result?.isError === true);
      }
    }
    const exit = await x.s.shutdown();
    x.rec.session_exit = { ...exit, ms: exit.ms === null ? null : round(exit.ms, 2) };
    x.rec.notifications = x.s.notifications;
    x.rec.server_requests = x.s.serverRequests;
    mergeProblems(x.rec, x.s, "session");
  }

  const out = [...records.values()];
  if (options.floor) {
    floor.n = floor.exit_ms.length;
    floor.p50_ms = round(median(floor.exit_ms), 2);
    out.push(floor);
  }
  log(formatSummary(out));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Readable summary (stderr)

export function formatSummary(records) {
  const f = (x, d = 1) => (x === null || x === undefined ? "-" : x.toFixed(d));
  const rows = [];
  for (const r of records) {
    if (r.type === "floor") {
      rows.push(`${r.name.padEnd(14)} spawn→exit p50 ${f(r.p50_ms)} ms`);
      continue;
    }
    const head = `${r.name.padEnd(14)} ${r.valid ? "ok  " : "VOID"}`;
    const cold = `cold ${f(r.cold.cold_p50_ms)} ready ${f(r.cold.ready_p50_ms)} exit ${f(r.cold.exit_p50_ms)} ms`;
    const mem = `rss ${f(r.idle_rss_mib)}/${f(r.peak_rss_mib)} MiB`;
    if (r.mode === "startup") {
      rows.push(
        `${head} ${cold}  tools/list p50 ${f(r.list?.p50_us, 0)} µs ${r.list?.bytes ?? "-"} B  ${mem}`,
      );
    } else {
      const seq = `seq p50/p99 ${f(r.seq?.p50_us, 0)}/${f(r.seq?.p99_us, 0)} µs`;
      const pipe = `${r.pipe?.calls_per_s ?? "-"} calls/s cpu ${f(r.pipe?.cpu_us_per_call)} µs/call`;
      rows.push(`${head} ${cold}  ${seq}  ${pipe}  ${mem}`);
    }
    for (const p of r.problems ?? []) rows.push(`    ! ${p}`);
  }
  return rows.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Command line

const HELP = `node bench/drive.mjs [options] (--server NAME=CMD ... | --from MODULE --size N)

Servers
  --server NAME=CMD     a server; CMD is split on spaces and spawned without a shell (repeatable)
  --from MODULE         take the servers from MODULE's serverCommands(size) (e.g. bench/servers/index.mjs)
  --size N              the size passed to serverCommands (3 or 100; default 3)
  --prepare             call MODULE's prepareServers() first
  --only A,B            keep only these server names
Mode
  --startup-only        cold start + warm tools/list latency only (for many-tool servers)
  --expect-tools N      require exactly N tools in tools/list
Amounts (defaults in brackets)
  --cold N [${DEFAULTS.cold}]  --seq K [${DEFAULTS.seq}]  --seq-warmup N [${DEFAULTS.seqWarmup}]
  --pipe M [${DEFAULTS.pipe}]  --pipe-warmup N [${DEFAULTS.pipeWarmup}]  --depth D [${DEFAULTS.depth}]
  --chunks C [${DEFAULTS.chunks}]  --list L [${DEFAULTS.list}]  --list-warmup N [${DEFAULTS.listWarmup}]
Other
  --floor               also time \`node -e 0\` spawn → exit, interleaved with the cold starts
  --rotate K            start the server order at offset K
  --stall-ms MS         give up on replies after MS ms without any output [${DEFAULTS.stallMs}]
  --term-ms MS          after stdin EOF wait MS before SIGTERM, and MS before SIGKILL [${DEFAULTS.termMs}]
  --quiet               no summary on stderr
Output: one JSON object per server per line on stdout. Exit code 1 if any server's figures are void.`;

const NUMERIC = {
  "--cold": "cold",
  "--seq": "seq",
  "--seq-warmup": "seqWarmup",
  "--pipe": "pipe",
  "--pipe-warmup": "pipeWarmup",
  "--depth": "depth",
  "--chunks": "chunks",
  "--list": "list",
  "--list-warmup": "listWarmup",
  "--expect-tools": "expectTools",
  "--rotate": "rotate",
  "--stall-ms": "stallMs",
  "--term-ms": "termMs",
};

async function main(argv) {
  const options = {};
  const servers = [];
  let from;
  let size = 3;
  let prepare = false;
  let only;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "-h" || arg === "--help") {
      console.log(HELP);
      return 0;
    } else if (arg in NUMERIC) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} takes a non-negative integer`);
      options[NUMERIC[arg]] = n;
    } else if (arg === "--server") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq < 1) throw new Error("--server takes NAME=CMD");
      const command = v.slice(eq + 1).trim();
      servers.push({ name: v.slice(0, eq), command: command.split(/\s+/) });
    } else if (arg === "--from") from = value();
    else if (arg === "--size") size = Number(value());
    else if (arg === "--prepare") prepare = true;
    else if (arg === "--only") only = value().split(",");
    else if (arg === "--startup-only") options.mode = "startup";
    else if (arg === "--floor") options.floor = true;
    else if (arg === "--quiet") options.quiet = true;
    else throw new Error(`unknown argument ${arg} (see -h)`);
  }
  if (from !== undefined) {
    const mod = await import(pathToFileURL(resolve(from)).href);
    if (prepare) await mod.prepareServers({ log: (m) => process.stderr.write(`${m}\n`) });
    servers.push(...(await mod.serverCommands(size)));
  }
  const chosen = only ? servers.filter((s) => only.includes(s.name)) : servers;
  if (chosen.length === 0) throw new Error("no servers (see -h)");
  const records = await drive(chosen, options);
  for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
  return records.every((r) => r.valid !== false) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(`drive: ${e.message}`);
      process.exitCode = 2;
    },
  );
}
