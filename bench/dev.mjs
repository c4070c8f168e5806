#!/usr/bin/env node
// Dev benchmark: edit-to-ready latency of `fastmcp dev` on a 100-tool project.
//
// What it measures
//   1. Generates the 100-tool project of bench/project.mjs into a temp dir and starts
//      `node bin/fastmcp.js dev <dir>` as a client would: NDJSON over its stdin/stdout, one
//      connection for the whole run. initialize + tools/list check the first build (timed too).
//   2. Makes 20 edits (--edits) to one tool file, cycling through: add a tool, change its schema
//      (a new parameter), rename it, remove it. Each edit is one writeFileSync of the whole file.
//   3. Edit-to-ready for one edit: from just before the write to the moment the new server has
//      answered a tools/list that shows the edit. The client sends that tools/list when
//      notifications/tools/list_changed arrives, as a real client does; if the list does not show
//      the edit yet, the run fails (the notification must only come once the new server is in).
//      This includes the watcher's quiet window (50 ms, the coalescing of rapid saves), the
//      incremental rebuild, starting the new server process and replaying initialize to it.
//   4. Between edits it waits --pause ms (default 400) so each edit is measured on its own.
//   5. Prints p50, p95, min and max over the edits and a verdict for the target: p50 under 300 ms.
//
// How to run (from the repository root)
//   npm run build && node bench/dev.mjs
//   node bench/dev.mjs --tools 100 --edits 40 --pause 300 [--keep] [--verbose]
//
// Plain Node ESM, no dependencies. The exit code is 1 if the dev server misbehaves (a missing
// notification, a list without the edit), not if the target is missed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateProject } from "./project.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "fastmcp.js");
const TARGET_P50_MS = 300;
const ANSWER_TIMEOUT_MS = 30_000;

function parseArgs(argv) {
  const options = { tools: 100, edits: 20, pause: 400, keep: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) usage(`${arg} takes a positive integer`);
      return v;
    };
    if (arg === "--tools") options.tools = number();
    else if (arg === "--edits") options.edits = number();
    else if (arg === "--pause") options.pause = number();
    else if (arg === "--keep") options.keep = true;
    else if (arg === "--verbose") options.verbose = true;
    else if (arg === "--help" || arg === "-h") usage();
    else usage(`unknown option ${arg}`);
  }
  return options;
}

function usage(problem) {
  if (problem !== undefined) console.error(`bench/dev.mjs: ${problem}`);
  console.error("usage: node bench/dev.mjs [--tools 100] [--edits 20] [--pause 400] [--keep] [--verbose]");
  process.exit(problem === undefined ? 0 : 2);
}

/** A minimal NDJSON client of the dev server: requests by id, notifications to a callback. */
function connect(dir, verbose) {
  const args = [CLI, "dev", dir, ...(verbose ? ["--verbose"] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  const waiting = new Map();
  const notificationWaiters = [];
  let stderr = "";
  let partial = "";
  let nextId = 1;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text) => {
    stderr += text;
    if (verbose) process.stderr.write(text);
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop();
    for (const line of lines) {
      if (line === "") continue;
      const message = JSON.parse(line);
      if (message.method !== undefined) {
        for (const w of notificationWaiters.splice(0)) w(message);
      } else {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    }
  });
  const send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`);
  return {
    stderr: () => stderr,
    request(method, params) {
      const id = nextId++;
      return withTimeout(
        new Promise((resolveAnswer) => {
          waiting.set(id, resolveAnswer);
          send({ jsonrpc: "2.0", id, method, params });
        }),
        `${method} answer`,
      );
    },
    notify: (method, params) => send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) }),
    /** Resolves with the next notification whose method is `method`. */
    nextNotification(method) {
      return withTimeout(
        new Promise((resolveNotification) => {
          const wait = (message) => {
            if (message.method === method) resolveNotification(message);
            else notificationWaiters.push(wait);
          };
          notificationWaiters.push(wait);
        }),
        method,
      );
    },
    async close() {
      child.stdin.end();
      await new Promise((r) => child.once("exit", r));
    },
  };
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no ${what} within ${ANSWER_TIMEOUT_MS} ms`)),
        ANSWER_TIMEOUT_MS,
      );
    }),
  ]);
}

/** The edits, cycled: each returns the file's new text and a check of the tools/list result. */
function edits(original) {
  const tool = (name, params) => `
/**
 * Added while the dev server runs.
 * @tool ${name}
 */
export async function devBenchTool(${params}): Promise<string> {
  return "ok";
}
`;
  return [
    (i) => ({
      text: original + tool(`added_${i}`, "text: string"),
      shows: (tools) => tools.some((t) => t.name === `added_${i}`),
    }),
    (i) => ({
      text: original + tool(`added_${i - 1}`, `text: string, count${i}: number`),
      shows: (tools) =>
        tools.some((t) => t.name === `added_${i - 1}` && `count${i}` in t.inputSchema.properties),
    }),
    (i) => ({
      text: original + tool(`renamed_${i}`, `text: string, count${i - 1}: number`),
      shows: (tools) =>
        tools.some((t) => t.name === `renamed_${i}`) && !tools.some((t) => t.name === `added_${i - 2}`),
    }),
    (i) => ({
      text: original,
      shows: (tools) => !tools.some((t) => t.name === `renamed_${i - 1}`),
    }),
  ];
}

function percentile(sorted, p) {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), "fastmcp-bench-dev-"));
  const dir = join(work, `tools-${options.tools}`);
  const names = generateProject(dir, options.tools);
  const file = join(dir, "src", "tools", "orders-1.ts");
  const original = readFileSync(file, "utf8");
  const kinds = edits(original);

  const client = connect(dir, options.verbose);
  let failed = false;
  const latencies = [];
  try {
    let started = performance.now();
    await client.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "bench-dev", version: "1" },
    });
    client.notify("notifications/initialized");
    const first = await client.request("tools/list", {});
    const firstMs = performance.now() - started;
    if (first.result?.tools?.length !== names.length) {
      throw new Error(`first build lists ${first.result?.tools?.length} tools, expected ${names.length}`);
    }
    console.log(`first build, start and tools/list: ${firstMs.toFixed(0)} ms (${names.length} tools)`);
    await sleep(options.pause);

    for (let i = 0; i < options.edits; i++) {
      const edit = kinds[i % kinds.length](i);
      const changed = client.nextNotification("notifications/tools/list_changed");
      started = performance.now();
      writeFileSync(file, edit.text);
      await changed;
      const listed = await client.request("tools/list", {});
      const ms = performance.now() - started;
      if (!edit.shows(listed.result?.tools ?? [])) {
        throw new Error(`edit ${i + 1}: tools/list after list_changed does not show the edit`);
      }
      latencies.push(ms);
      if (options.verbose) console.log(`edit ${i + 1}: ${ms.toFixed(0)} ms`);
      await sleep(options.pause);
    }
  } catch (error) {
    failed = true;
    console.error(`bench/dev.mjs: ${error.message}`);
    console.error(client.stderr());
  } finally {
    await client.close();
    if (options.keep) console.log(`project kept at ${dir}`);
    else rmSync(work, { recursive: true, force: true });
  }
  if (failed) process.exit(1);

  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  console.log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, node ${process.version}`,
  );
  console.log(`edit-to-ready over ${sorted.length} edits of a ${options.tools}-tool project (ms):`);
  console.log(
    `  p50 ${p50.toFixed(0)}  p95 ${p95.toFixed(0)}  min ${sorted[0].toFixed(0)}  max ${sorted.at(-1).toFixed(0)}`,
  );
  console.log(`target p50 < ${TARGET_P50_MS} ms: ${p50 < TARGET_P50_MS ? "met" : "missed"}`);
}

await main();
