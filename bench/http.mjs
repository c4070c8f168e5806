#!/usr/bin/env node
// HTTP benchmark (issue 7): requests/s and latency of `tools/call echo` over Streamable HTTP at a fixed
// concurrency, fastmcp-ts's HTTP transport (`node dist/server.mjs --http`) against the official
// SDK's stateless Streamable HTTP server (bench/servers/sdk-http.mjs: SSE replies as by default, and
// with enableJsonResponse), all serving the benchmark's three tools, in one run; loop-http
// (bench/servers/loop-http.mjs, plain node:http and JSON.parse) is the floor.
//
//   node bench/http.mjs                        # 5 rounds, 32 connections, 5 000 measured calls per server per round
//   node bench/http.mjs --quick                # 2 short rounds (a smoke test, not figures)
//   node bench/http.mjs --concurrency 64 --requests 10000 --rounds 3 --only loop-http,fastmcp-ts,sdk-json
//
// Each client is a keep-alive node:http connection that sends one POST, waits for the whole reply
// (JSON, or the SSE stream up to the response) and sends the next; `--concurrency` of them run at
// once. Every reply is checked: HTTP 200, the request's id, and the echoed text (unique per call).
// A wrong, failed or missing reply voids that server's figures for the round. Servers take turns
// within each round, in an order that rotates every round, and each round starts with unmeasured
// warm-up calls. Reported: medians over rounds of calls/s, p50 and p99 latency, and the server
// process's CPU time per call (/proc schedstat). Summary on stdout and in bench/results/http-<UTC>.md,
// raw records in the matching .jsonl. Exit 1 if any figure is void.
import { mkdirSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startHttpServer } from "../test/http/servers.mjs";
import { median, quantile, treeCpu } from "./drive.mjs";
import { prepareServers, serverCommands } from "./servers/index.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const PROTOCOL_VERSION = "2025-11-25";

const SERVERS = [
  { name: "loop-http", script: () => join(BENCH, "servers", "loop-http.mjs"), args: [] },
  {
    name: "fastmcp-ts",
    script: () => serverCommands(3).find((s) => s.name === "fastmcp-ts").command[1],
    args: [],
  },
  { name: "sdk", script: () => join(BENCH, "servers", "sdk-http.mjs"), args: [] },
  { name: "sdk-json", script: () => join(BENCH, "servers", "sdk-http.mjs"), args: ["--json"] },
];

function usage(message) {
  if (message) console.error(`http: ${message}`);
  console.error(
    "usage: node bench/http.mjs [--rounds R] [--concurrency C] [--requests N] [--warmup W] [--quick] [--only a,b]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { rounds: 5, concurrency: 32, requests: 5000, warmup: 1000, only: undefined };
  const positive = (arg, text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) usage(`${arg} takes a positive integer, got ${text}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--rounds") o.rounds = positive(arg, value());
    else if (arg === "--concurrency") o.concurrency = positive(arg, value());
    else if (arg === "--requests") o.requests = positive(arg, value());
    else if (arg === "--warmup") o.warmup = positive(arg, value());
    else if (arg === "--quick") Object.assign(o, { rounds: 2, requests: 1000, warmup: 300 });
    else if (arg === "--only") o.only = value().split(",");
    else if (arg === "-h" || arg === "--help") usage();
    else usage(`unknown argument ${arg}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// One server over HTTP: keep-alive POSTs, replies as JSON or SSE

/** The JSON-RPC messages of a reply body: one JSON object, or the `data:` of each SSE event. */
function messagesOf(contentType, body) {
  if (!contentType?.startsWith("text/event-stream")) return [JSON.parse(body)];
  const messages = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
    if (data.length > 0 && data.join("") !== "") messages.push(JSON.parse(data.join("\n")));
  }
  return messages;
}

class HttpTarget {
  constructor(name, server, concurrency) {
    this.name = name;
    this.server = server;
    this.url = new URL(server.url);
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    this.sessionId = undefined;
    this.nextId = 1;
  }

  /** POSTs one message; resolves with { status, contentType, sessionId, body }. */
  post(message) {
    const payload = JSON.stringify(message);
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": PROTOCOL_VERSION,
      "content-length": Buffer.byteLength(payload),
    };
    if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: "POST",
          agent: this.agent,
          headers,
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode,
              contentType: res.headers["content-type"],
              sessionId: res.headers["mcp-session-id"],
              body,
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async initialize() {
    const reply = await this.post({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "bench-http", version: "1" },
      },
    });
    const [message] = messagesOf(reply.contentType, reply.body);
    if (reply.status !== 200 || message?.result?.protocolVersion === undefined) {
      throw new Error(`${this.name}: initialize failed: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
    }
    this.sessionId = reply.sessionId;
    const note = await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
    if (note.status !== 202 && note.status !== 200)
      throw new Error(`${this.name}: initialized got HTTP ${note.status}`);
  }

  /** One checked `tools/call echo`: resolves with its latency in ms, or a string saying what was wrong. */
  async echo() {
    const id = this.nextId++;
    const text = `call ${id} of ${this.name}`;
    const started = performance.now();
    let reply;
    try {
      reply = await this.post({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "echo", arguments: { message: text } },
      });
    } catch (error) {
      return `request ${id}: ${error.message}`;
    }
    const latency = performance.now() - started;
    if (reply.status !== 200) return `request ${id}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`;
    let messages;
    try {
      messages = messagesOf(reply.contentType, reply.body);
    } catch {
      return `request ${id}: unreadable body ${reply.body.slice(0, 200)}`;
    }
    const response = messages.find((m) => m.id !== undefined && m.method === undefined);
    if (response?.id !== id) return `request ${id}: reply for id ${JSON.stringify(response?.id)}`;
    const content = response.result?.content;
    if (response.result?.isError === true || content?.length !== 1 || content[0].text !== text) {
      return `request ${id}: wrong reply ${JSON.stringify(response).slice(0, 200)}`;
    }
    return latency;
  }

  /** `count` echo calls, `concurrency` at a time. */
  async run(count, concurrency) {
    const latencies = [];
    const errors = [];
    let started = 0;
    const worker = async () => {
      while (started < count) {
        started++;
        const outcome = await this.echo();
        if (typeof outcome === "number") latencies.push(outcome);
        else errors.push(outcome);
      }
    };
    const cpu0 = treeCpu(this.server.child.pid);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    const elapsedMs = performance.now() - t0;
    const cpu1 = treeCpu(this.server.child.pid);
    return { latencies, errors, elapsedMs, cpuNs: cpu1.ns - cpu0.ns };
  }
}

// ---------------------------------------------------------------------------------------------
// Rounds and summary

const fmt = (n, digits = 0) =>
  n === null || n === undefined
    ? "–"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function summarize(records, o, meta) {
  const names = [...new Set(records.map((r) => r.server))];
  const stat = (rows, key, digits) => {
    const values = rows.map((r) => r[key]);
    return `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
  };
  const lines = [
    `${meta.date}, commit ${meta.commit}, Node ${process.version}, ${meta.cpus}, load average ${meta.load}, ` +
      `\`node bench/http.mjs${meta.argv}\`: ${o.rounds} rounds, ${o.concurrency} keep-alive connections, ` +
      `${fmt(o.requests)} measured \`tools/call echo\` per server per round after ${fmt(o.warmup)} unmeasured. ` +
      "Medians over rounds, min–max in brackets.",
    "",
    "| server | calls/s | p50 ms | p99 ms | server CPU µs/call | void rounds |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const name of names) {
    const rows = records.filter((r) => r.server === name && r.errors === 0);
    const voids = records.filter((r) => r.server === name && r.errors > 0).length;
    const label = name === "fastmcp-ts" ? "**fastmcp-ts**" : name;
    if (rows.length === 0) lines.push(`| ${label} | VOID | VOID | VOID | VOID | ${voids} |`);
    else
      lines.push(
        `| ${label} | ${stat(rows, "callsPerSecond", 0)} | ${stat(rows, "p50Ms", 2)} | ${stat(rows, "p99Ms", 2)} | ${stat(rows, "cpuUsPerCall", 1)} | ${voids} |`,
      );
  }
  // Ratios to fastmcp-ts, taken within each round (both figures of a round saw the same machine).
  const ours = records.filter((r) => r.server === "fastmcp-ts" && r.errors === 0);
  const others = names.filter((n) => n !== "fastmcp-ts");
  if (ours.length > 0 && others.length > 0) {
    lines.push(
      "",
      "Ratios, server ÷ fastmcp-ts in the same round (median over rounds):",
      "",
      "| server | calls/s | p50 | p99 | server CPU per call |",
      "|---|---:|---:|---:|---:|",
    );
    for (const other of others) {
      const ratios = { callsPerSecond: [], p50Ms: [], p99Ms: [], cpuUsPerCall: [] };
      for (const a of ours) {
        const b = records.find((r) => r.server === other && r.round === a.round && r.errors === 0);
        if (b === undefined) continue;
        for (const key of Object.keys(ratios)) ratios[key].push(b[key] / a[key]);
      }
      const cells = Object.values(ratios).map((values) => `${fmt(median(values), 2)}×`);
      lines.push(`| ${other} | ${cells.join(" | ")} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (line) => process.stderr.write(`${line}\n`);
  await prepareServers({ log });
  const chosen = SERVERS.filter((s) => o.only === undefined || o.only.includes(s.name));
  if (chosen.length === 0) usage(`--only names none of ${SERVERS.map((s) => s.name).join(", ")}`);

  const targets = [];
  const records = [];
  try {
    for (const s of chosen) {
      const server = await startHttpServer(s.script(), { args: s.args, name: s.name });
      const target = new HttpTarget(s.name, server, o.concurrency);
      targets.push(target);
      await target.initialize();
      log(`${s.name}: listening on ${server.url}`);
    }
    for (let round = 0; round < o.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const target of order) {
        const warm = await target.run(o.warmup, o.concurrency);
        const run = await target.run(o.requests, o.concurrency);
        const errors = [...warm.errors, ...run.errors];
        const record = {
          server: target.name,
          round,
          calls: run.latencies.length,
          errors: errors.length,
          callsPerSecond: (run.latencies.length / run.elapsedMs) * 1000,
          p50Ms: quantile(run.latencies, 0.5),
          p99Ms: quantile(run.latencies, 0.99),
          cpuUsPerCall: run.cpuNs / 1000 / o.requests,
          firstError: errors[0],
        };
        records.push(record);
        log(
          `round ${round + 1}/${o.rounds} ${target.name}: ${fmt(record.callsPerSecond)} calls/s, p50 ${fmt(record.p50Ms, 2)} ms, ` +
            `p99 ${fmt(record.p99Ms, 2)} ms, CPU ${fmt(record.cpuUsPerCall, 1)} µs/call` +
            (errors.length > 0 ? `, VOID: ${errors.length} bad replies, first: ${errors[0]}` : ""),
        );
      }
    }
  } finally {
    for (const target of targets) {
      target.agent.destroy();
      await target.server.stop();
    }
  }

  const date = new Date().toISOString();
  const meta = {
    date: date.slice(0, 10),
    commit: await gitCommit(),
    cpus: `${cpus().length} vCPUs (${cpus()[0]?.model.trim()})`,
    load: loadavg()[0].toFixed(1),
    argv: process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : "",
  };
  const summary = summarize(records, o, meta);
  const out = join(BENCH, "results");
  mkdirSync(out, { recursive: true });
  const stamp = date.replace(/[:.]/g, "-");
  writeFileSync(join(out, `http-${stamp}.jsonl`), `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  writeFileSync(join(out, `http-${stamp}.md`), summary);
  process.stdout.write(summary);
  log(`written: ${relative(ROOT, join(out, `http-${stamp}.md`))}`);
  return records.some((r) => r.errors > 0) ? 1 : 0;
}

async function gitCommit() {
  const { execFileSync } = await import("node:child_process");
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

process.exitCode = await main();
