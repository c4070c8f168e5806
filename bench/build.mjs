#!/usr/bin/env node
// Build benchmark: how long a cold `fastmcp build` takes for projects of 10, 100 and 500 tools.
//
// What it measures
//   1. Generates one realistic project per size into a temp dir: source files of ~10 tools each, a
//      shared src/types.ts (interfaces, a string enum, a literal union) imported with `.js` specifiers,
//      tools with 2–4 parameters (primitives, optional and default parameters, constraint tags, nested
//      imported types, object return types, a Context parameter in some).
//   2. Cold builds: each run is a fresh `node bin/fastmcp.js build <dir> --json` process, with
//      <dir>/.fastmcp and <dir>/dist deleted first. Sizes are interleaved round by round, so a noisy
//      moment on the machine spreads across sizes instead of landing on one. One untimed warm-up build
//      per size comes first (it also checks that the generated project builds), so the OS file cache
//      is as warm as it is for a developer who builds repeatedly; nothing else is cached.
//   3. For each run: wall time of the whole process (spawn → exit: Node start-up, loading TypeScript,
//      esbuild and ajv, the pipeline, writing files) and the build's own `durationMs` from the JSON
//      (the pipeline inside the process). Every run must report ok: true and one entry per tool; a
//      failure aborts with the diagnostics printed.
//   4. Starts the built 100-tool server (`node dist/server.mjs`; the largest size if --sizes leaves
//      100 out), sends initialize + tools/list as NDJSON and checks that it lists every tool.
//   5. Prints a table (median wall ms with min–max, median in-process ms, server size) and a verdict
//      for the target: a 100-tool project builds cold in under 2 s (median wall time).
//
// How to run (from the repository root)
//   npm run build && node bench/build.mjs                # sizes 10,100,500, 5 rounds
//   node bench/build.mjs --sizes 10,100 --rounds 10
//   node bench/build.mjs --keep                          # keep the generated projects (path printed)
//
// Plain Node ESM, no dependencies. The exit code is 1 if a build or the server check fails, not if
// the target is missed: this is a benchmark, not a timed test.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateProject } from "./project.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "fastmcp.js");
const TARGET_SIZE = 100;
const TARGET_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const options = { sizes: [10, 100, 500], rounds: 5, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    if (arg === "--sizes") {
      options.sizes = value()
        .split(",")
        .map((s) => Number(s.trim()));
      if (options.sizes.some((n) => !Number.isInteger(n) || n < 1)) usage("--sizes takes positive integers");
    } else if (arg === "--rounds") {
      options.rounds = Number(value());
      if (!Number.isInteger(options.rounds) || options.rounds < 1) usage("--rounds takes a positive integer");
    } else if (arg === "--keep") {
      options.keep = true;
    } else if (arg === "--help" || arg === "-h") {
      usage();
    } else {
      usage(`unknown option ${arg}`);
    }
  }
  return options;
}

function usage(problem) {
  if (problem !== undefined) console.error(`bench/build.mjs: ${problem}`);
  console.error("usage: node bench/build.mjs [--sizes 10,100,500] [--rounds 5] [--keep]");
  process.exit(problem === undefined ? 0 : 2);
}

// ---------------------------------------------------------------------------------------------
// Running builds

/** Runs one cold build of `dir`; returns { wallMs, buildMs, report }. Aborts on failure. */
async function coldBuild(dir, expected) {
  rmSync(join(dir, ".fastmcp"), { recursive: true, force: true });
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const { code, stdout, stderr, exitedAt } = await run(process.execPath, [CLI, "build", dir, "--json"], {
    cwd: ROOT,
  });
  const wallMs = Number(exitedAt - started) / 1e6;
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    fail(`build of ${dir} exited ${code} without a JSON report`, stdout, stderr);
  }
  const tools = report.entries.filter((e) => e.kind === "tool").length;
  if (code !== 0 || report.ok !== true || tools !== expected.length) {
    const diagnostics = report.diagnostics
      .map((d) => `${d.file ?? ""}:${d.line ?? ""}:${d.column ?? ""} - ${d.severity} ${d.code}: ${d.message}`)
      .join("\n");
    fail(
      `build of ${dir} failed: exit ${code}, ok ${report.ok}, ${tools} tools (expected ${expected.length})`,
      diagnostics,
      stderr,
    );
  }
  return { wallMs, buildMs: report.durationMs, report };
}

function run(command, args, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let exitedAt;
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", () => {
      exitedAt = process.hrtime.bigint();
    });
    child.on("close", (code) => resolvePromise({ code, stdout, stderr, exitedAt }));
  });
}

function fail(message, ...details) {
  console.error(`\nFAILED: ${message}`);
  for (const detail of details) if (detail) console.error(detail.trimEnd());
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Checking the built server

/** Starts dist/server.mjs, lists its tools (following cursors) and checks the names. */
async function checkServer(dir, expected) {
  const child = spawn(process.execPath, [join(dir, "dist", "server.mjs")], {
    cwd: dir,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr += chunk;
  });
  const pending = new Map();
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() === "") continue;
      const message = JSON.parse(line);
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  const exited = new Promise((r) => child.on("close", r));
  let nextId = 1;
  const request = (method, params) =>
    new Promise((resolvePromise, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within 10 s`)), 10_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error !== undefined) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolvePromise(message.result);
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });

  try {
    const started = process.hrtime.bigint();
    await request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "bench-build", version: "1.0.0" },
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
    const tools = [];
    let cursor;
    do {
      const page = await request("tools/list", cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    const listedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const names = new Set(tools.map((t) => t.name));
    const missing = expected.filter((name) => !names.has(name));
    if (tools.length !== expected.length || missing.length > 0) {
      throw new Error(
        `listed ${tools.length} tools, expected ${expected.length}; missing: ${missing.join(", ")}`,
      );
    }
    return { count: tools.length, listedMs };
  } catch (error) {
    child.kill();
    fail(`server check of ${dir}: ${error.message}`, stderr);
  } finally {
    child.stdin.end();
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Main

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => Math.round(x).toString();

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
    fail("dist/cli/main.js is missing: run `npm run build` first");
  }
  const work = mkdtempSync(join(tmpdir(), "fastmcp-bench-build-"));
  const cpu = cpus();
  console.log(
    `fastmcp build benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}`,
  );
  console.log(`sizes ${options.sizes.join(", ")} tools; ${options.rounds} rounds; projects in ${work}`);
  // Builds are mostly single-threaded, but anything else running on a 2-core machine shows up in the
  // figures: the load average before and after says whether the run was quiet.
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
  console.log(`load average before: ${load()}\n`);

  const projects = options.sizes.map((size) => {
    const dir = join(work, `tools-${size}`);
    return { size, dir, expected: generateProject(dir, size), wall: [], build: [] };
  });

  for (const p of projects) {
    const { wallMs } = await coldBuild(p.dir, p.expected);
    console.log(`warm-up  ${String(p.size).padStart(4)} tools  ${ms(wallMs).padStart(6)} ms`);
  }
  for (let round = 1; round <= options.rounds; round++) {
    const line = [];
    for (const p of projects) {
      const { wallMs, buildMs } = await coldBuild(p.dir, p.expected);
      p.wall.push(wallMs);
      p.build.push(buildMs);
      line.push(`${p.size}: ${ms(wallMs)} ms (in-process ${ms(buildMs)})`);
    }
    console.log(`round ${round}/${options.rounds}  ${line.join("  ")}`);
  }

  const checked = projects.find((p) => p.size === TARGET_SIZE) ?? projects[projects.length - 1];
  const server = await checkServer(checked.dir, checked.expected);
  console.log(
    `\nserver check: ${checked.size}-tool dist/server.mjs started and listed ${server.count} tools ` +
      `(initialize + tools/list answered in ${ms(server.listedMs)} ms)\n`,
  );

  const rows = projects.map((p) => [
    `${p.size}`,
    `${ms(median(p.wall))} (${ms(Math.min(...p.wall))}–${ms(Math.max(...p.wall))})`,
    ms(median(p.build)),
    (statSync(join(p.dir, "dist", "server.mjs")).size / 1024).toFixed(1),
  ]);
  const header = ["tools", "median wall ms (min–max)", "median in-process build ms", "server.mjs KiB"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => `${"-".repeat(w + 1)}:`).join("|")}|`);
  for (const row of rows) console.log(format(row));

  const target = projects.find((p) => p.size === TARGET_SIZE);
  if (target !== undefined) {
    const wall = median(target.wall);
    console.log(
      `\n${wall < TARGET_MS ? "PASS" : "MISS"}: ${TARGET_SIZE}-tool cold build, median wall ${ms(wall)} ms ` +
        `${wall < TARGET_MS ? "<" : "≥"} ${TARGET_MS} ms target (${options.rounds} rounds)`,
    );
  } else {
    console.log(`\nno verdict: the target is for ${TARGET_SIZE} tools, which --sizes left out`);
  }

  console.log(`load average after: ${load()}`);
  if (options.keep) console.log(`\nkept the projects in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

await main();
