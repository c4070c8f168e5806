#!/usr/bin/env node
// The side-by-side benchmark (issue 5): fastmcp-ts against a hand-written NDJSON loop (`loop`, the
// physical limit and the reference of every ratio), the loop with ajv validation, the official SDK
// and punkpeye's fastmcp.
//
//   npm run bench                        # = node bench/run.mjs: 5 rounds of each part (~5 min on 2 cores)
//   node bench/run.mjs --quick           # smoke run, about a minute
//   node bench/run.mjs --rounds 9 --only loop,sdk,fastmcp-ts
//   node bench/run.mjs --part calls      # only the 3-tool part (or: --part tools100)
//   node bench/run.mjs --no-prepare      # skip prepareServers (servers already built)
//
// Steps: prepareServers() from bench/servers/index.mjs, then R rounds of the 3-tool comparison
// (bench/drive.mjs, calls mode, with the `node -e 0` floor interleaved), then R rounds of the
// 100-tool start-up / tools/list comparison. The server order rotates each round. Raw records go to
// bench/results/run-<UTC timestamp>.jsonl (first line: machine and versions), the markdown summary
// (bench/summarize.mjs) to the matching .md and to stdout. Progress goes to stderr.
// Exit code 1 if any figure is void (a wrong, missing or duplicated reply), 2 on a setup error.
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { drive } from "./drive.mjs";
import { summarize } from "./summarize.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);

// Driver amounts per part. Pipelined phases must last ≥ 0.2 s even for `loop` (CPU is read in
// 10 ms ticks): 60 000 calls are about 0.3 s at loop's ~200 000 calls/s. The pipelined warm-up is
// long on purpose: with 2 000 warm-up calls a JIT-heavy server measured ~1.4× its warmed-up CPU/call,
// with 6 000 still ~1.05×; 20 000 reaches the steady state (the quick run settles for 10 000).
const FULL = {
  calls: { cold: 10, seq: 2000, seqWarmup: 300, pipe: 60000, pipeWarmup: 20000, depth: 64, chunks: 5 },
  tools100: { cold: 6, list: 200, listWarmup: 20, chunks: 5 },
};
const QUICK = {
  calls: { cold: 3, seq: 500, seqWarmup: 100, pipe: 12000, pipeWarmup: 10000, depth: 64, chunks: 3 },
  tools100: { cold: 2, list: 40, listWarmup: 5, chunks: 2 },
};

function usage(message) {
  if (message) console.error(`run: ${message}`);
  console.error(
    "usage: node bench/run.mjs [--rounds R] [--quick] [--only a,b] [--part calls|tools100] [--no-prepare] [--out DIR]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { rounds: undefined, quick: false, only: undefined, parts: ["calls", "tools100"], prepare: true };
  o.out = join(BENCH, "results");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--rounds") {
      o.rounds = Number(value());
      if (!Number.isInteger(o.rounds) || o.rounds < 1) usage("--rounds takes a positive integer");
    } else if (arg === "--quick") o.quick = true;
    else if (arg === "--only") o.only = value().split(",");
    else if (arg === "--part") {
      o.parts = value().split(",");
      if (o.parts.some((p) => p !== "calls" && p !== "tools100")) usage("--part takes calls and/or tools100");
    } else if (arg === "--no-prepare") o.prepare = false;
    else if (arg === "--out") o.out = value();
    else if (arg === "-h" || arg === "--help") usage();
    else usage(`unknown argument ${arg}`);
  }
  o.rounds ??= o.quick ? 2 : 5;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Machine and versions (the first JSONL line)

function git(...args) {
  try {
    return execFileSync("git", args, {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

function packageVersions() {
  const versions = {};
  let names = [];
  try {
    names = Object.keys(JSON.parse(readFileSync(join(BENCH, "package.json"), "utf8")).dependencies ?? {});
  } catch {
    // no bench/package.json: nothing to report
  }
  for (const name of names) {
    try {
      versions[name] = JSON.parse(
        readFileSync(join(BENCH, "node_modules", name, "package.json"), "utf8"),
      ).version;
    } catch {
      versions[name] = "not installed";
    }
  }
  return versions;
}

function environment(options, started) {
  const cpu = cpus();
  const rootPkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  return {
    type: "env",
    started: started.toISOString(),
    machine: {
      cpus: cpu.length,
      cpu_model: cpu[0]?.model.trim(),
      os: `${type()} ${release()}`,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadavg_before: loadavg(),
    },
    fastmcp_ts: {
      version: rootPkg.version,
      commit: git("rev-parse", "--short", "HEAD"),
      dirty: (git("status", "--porcelain", "--", "src") ?? "") !== "",
    },
    versions: packageVersions(),
    options: { rounds: options.rounds, quick: options.quick, only: options.only, parts: options.parts },
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const amounts = options.quick ? QUICK : FULL;
  const log = (m) => process.stderr.write(`${m}\n`);
  const started = new Date();
  const stamp = started
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-");
  mkdirSync(options.out, { recursive: true });
  const jsonlPath = join(options.out, `run-${stamp}.jsonl`);
  const mdPath = join(options.out, `run-${stamp}.md`);
  const records = [];
  const emit = (record) => {
    records.push(record);
    appendFileSync(jsonlPath, `${JSON.stringify(record)}\n`);
  };

  const servers = await import("./servers/index.mjs");
  if (options.only) {
    const known = servers.serverCommands(3).map((s) => s.name);
    const unknown = options.only.filter((n) => !known.includes(n));
    if (unknown.length > 0)
      usage(`unknown server(s) ${unknown.join(", ")} in --only (known: ${known.join(", ")})`);
  }
  if (options.prepare) {
    log("preparing the servers …");
    await servers.prepareServers({ log: (m) => log(`  ${m}`) });
  }
  emit(environment(options, started));
  log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );

  const errors = [];
  const pick = (size) => {
    const all = servers.serverCommands(size);
    const chosen = options.only ? all.filter((s) => options.only.includes(s.name)) : all;
    if (!chosen.some((s) => s.name === "loop")) log("note: `loop` is not measured, so there are no ratios");
    return chosen;
  };

  const plan = [
    { part: "calls", size: 3, options: { ...amounts.calls, expectTools: 3, floor: true } },
    { part: "tools100", size: 100, options: { ...amounts.tools100, mode: "startup", expectTools: 100 } },
  ].filter((p) => options.parts.includes(p.part));

  for (const { part, size, options: driveOptions } of plan) {
    const chosen = pick(size);
    for (let round = 0; round < options.rounds; round++) {
      const t0 = Date.now();
      log(`\n[${part}] round ${round + 1}/${options.rounds} (load ${loadavg()[0].toFixed(2)})`);
      try {
        const out = await drive(chosen, { ...driveOptions, rotate: round });
        for (const r of out) emit({ ...r, part, round });
      } catch (e) {
        errors.push(`${part} round ${round + 1}: ${e.stack ?? e}`);
        log(`error: ${e.stack ?? e}`);
      }
      log(`[${part}] round ${round + 1} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }

  emit({
    type: "end",
    finished: new Date().toISOString(),
    duration_s: (Date.now() - started.getTime()) / 1000,
    loadavg_after: loadavg(),
    errors,
  });
  const { markdown, voided } = summarize(records);
  writeFileSync(mdPath, `${markdown}\n`);
  process.stdout.write(`\n${markdown}\n`);
  log(`raw: ${relative(process.cwd(), jsonlPath)}\nsummary: ${relative(process.cwd(), mdPath)}`);
  if (voided) log("some figures are VOID (see above): exit code 1");
  return voided || errors.length > 0 ? 1 : 0;
}

if (!existsSync(join(BENCH, "servers", "index.mjs"))) {
  console.error("run: bench/servers/index.mjs is missing");
  process.exit(2);
}
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`run: ${e.stack ?? e}`);
    process.exitCode = 2;
  },
);
