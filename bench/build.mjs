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
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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
// Project generator

const TOOLS_PER_FILE = 10;
const DOMAINS = [
  "orders",
  "products",
  "customers",
  "invoices",
  "shipments",
  "tickets",
  "payments",
  "reviews",
];

const PACKAGE_JSON = (size) =>
  `${JSON.stringify({ name: `bench-${size}-tools`, version: "1.0.0", private: true, type: "module" }, null, 2)}\n`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      // What a server project wants: no DOM library to parse.
      lib: ["ES2022"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ["src"],
  },
  null,
  2,
)}\n`;

const TYPES_TS = `// Shared domain types: they become parts of the tools' JSON Schemas.

export enum Status {
  Draft = "draft",
  Active = "active",
  Archived = "archived",
}

export type Currency = "EUR" | "USD" | "GBP";

export type SortOrder = "asc" | "desc";

export interface Money {
  /**
   * The amount, in the currency's main unit.
   * @minimum 0
   */
  amount: number;
  currency: Currency;
}

export interface PriceRange {
  /** @minimum 0 */
  min?: number;
  /** @minimum 0 */
  max?: number;
}

export interface Filters {
  /** Only records in these states. */
  status?: Status[];
  price?: PriceRange;
  /**
   * Free-form labels, all of which must match.
   * @maxItems 10
   */
  tags?: string[];
  /**
   * Created on or after this instant.
   * @format date-time
   */
  createdAfter?: string;
}

export interface Address {
  name: string;
  street: string;
  city: string;
  /** @pattern ^[0-9A-Z -]{3,10}$ */
  postcode: string;
  /**
   * ISO 3166-1 alpha-2 country code.
   * @pattern ^[A-Z]{2}$
   */
  country: string;
}

export interface Summary {
  id: string;
  title: string;
  status: Status;
  price: Money;
}

export interface Item {
  id: string;
  title: string;
  description?: string;
  status: Status;
  price: Money;
  tags: string[];
  /** @format date-time */
  createdAt: string;
}

export interface Shipment {
  trackingId: string;
  to: Address;
  express: boolean;
  /** @integer */
  etaDays: number;
}

export interface Stats {
  /** @integer */
  count: number;
  total: Money;
  byStatus: { [status: string]: number };
}
`;

const STORE_TS = `// An in-memory stand-in for a database, shared by every tool file.
import { type Money, type Item, Status } from "./types.js";

export const records: Item[] = [];

export function find(id: string): Item | undefined {
  return records.find((r) => r.id === id);
}

export function money(amount: number, currency: Money["currency"] = "EUR"): Money {
  return { amount: Math.round(amount * 100) / 100, currency };
}

export function nextId(prefix: string): string {
  return \`\${prefix}-\${records.length + 1}\`;
}

export const DEFAULT_STATUS = Status.Active;
`;

// Ten tool shapes, cycled through. Each returns the source of one exported function; `d` is the
// domain (e.g. "orders"), `n` a number unique in the project, `N` the same for function names.
const SHAPES = [
  // Context + string + default + optional nested type; object return type.
  (d, n) => `/**
 * Search ${d} by title.
 * @tool ${d}_search_${n}
 * @readOnly
 * @param query Words to look for in titles
 * @minLength 2
 * @param limit How many results at most
 * @integer
 * @minimum 1
 * @maximum 100
 * @param filters Narrow the search down
 */
export async function ${d}Search${n}(
  ctx: Context,
  query: string,
  limit = 10,
  filters?: Filters,
): Promise<{ hits: Summary[]; total: number }> {
  const words = query.toLowerCase().split(/\\s+/);
  const hits: Summary[] = [];
  for (const r of records) {
    ctx.checkpoint();
    if (!words.every((w) => r.title.toLowerCase().includes(w))) continue;
    if (filters?.status !== undefined && !filters.status.includes(r.status)) continue;
    hits.push({ id: r.id, title: r.title, status: r.status, price: r.price });
  }
  ctx.progress(hits.length, limit);
  return { hits: hits.slice(0, limit), total: hits.length };
}
`,
  // One constrained string; a nested imported return type; ToolError.
  (d, n) => `/**
 * Fetch one of the ${d} by id.
 * @tool ${d}_get_${n}
 * @readOnly
 * @idempotent
 * @param id The record's id
 * @pattern ^[a-z]+-[0-9]+$
 * @param includeArchived Also look at archived records
 */
export async function ${d}Get${n}(id: string, includeArchived?: boolean): Promise<Item> {
  const found = find(id);
  if (found === undefined || (found.status === Status.Archived && includeArchived !== true)) {
    throw new ToolError(\`No ${d} record \${id}\`);
  }
  return found;
}
`,
  // Context + required nested type + literal-union default + optional array.
  (d, n) => `/**
 * Create a record in ${d}.
 * @tool ${d}_create_${n}
 * @param title A short title
 * @minLength 1
 * @maxLength 120
 * @param price The price
 * @param currency The price's currency
 * @param tags Labels to attach
 * @maxItems 20
 * @uniqueItems
 */
export async function ${d}Create${n}(
  ctx: Context,
  title: string,
  price: number,
  currency: Currency = "EUR",
  tags?: string[],
): Promise<{ id: string; status: Status }> {
  const record: Item = {
    id: nextId("${d}"),
    title,
    status: DEFAULT_STATUS,
    price: money(price, currency),
    tags: tags ?? [],
    createdAt: new Date().toISOString(),
  };
  records.push(record);
  ctx.log.info("created", { id: record.id });
  return { id: record.id, status: record.status };
}
`,
  // Destructive, void return, optional boolean.
  (d, n) => `/**
 * Delete one of the ${d}.
 * @tool ${d}_delete_${n}
 * @destructive
 * @idempotent
 * @param id The record's id
 * @param force Delete even if it is active
 */
export async function ${d}Delete${n}(id: string, force?: boolean): Promise<void> {
  const index = records.findIndex((r) => r.id === id);
  if (index < 0) return;
  if (records[index]?.status === Status.Active && force !== true) {
    throw new ToolError("The record is active: pass force to delete it.");
  }
  records.splice(index, 1);
}
`,
  // Numbers with exclusive bounds, two literal-union params, a number return.
  (d, n) => `/**
 * Convert an amount between currencies (${d}).
 * @tool ${d}_convert_${n}
 * @readOnly
 * @idempotent
 * @param amount The amount to convert
 * @exclusiveMinimum 0
 * @param from Currency of the amount
 * @param to Currency wanted
 */
export function ${d}Convert${n}(amount: number, from: Currency, to: Currency): number {
  const rates: { [c in Currency]: number } = { EUR: 1, USD: 1.08, GBP: 0.86 };
  return Math.round((amount / rates[from]) * rates[to] * 100) / 100;
}
`,
  // Two defaults with integer bounds, an optional literal union, an object return.
  (d, n) => `/**
 * List ${d}, a page at a time.
 * @tool ${d}_list_${n}
 * @readOnly
 * @param page Page number, from 1
 * @integer
 * @minimum 1
 * @param pageSize Records per page
 * @integer
 * @minimum 1
 * @maximum 200
 * @param sort Order by title
 */
export async function ${d}List${n}(
  page = 1,
  pageSize = 20,
  sort?: SortOrder,
): Promise<{ items: Summary[]; page: number; hasMore: boolean }> {
  const sorted = [...records].sort((a, b) => (sort === "desc" ? -1 : 1) * a.title.localeCompare(b.title));
  const items = sorted
    .slice((page - 1) * pageSize, page * pageSize)
    .map((r) => ({ id: r.id, title: r.title, status: r.status, price: r.price }));
  return { items, page, hasMore: page * pageSize < sorted.length };
}
`,
  // Context + nested Address + optional boolean; nested return type.
  (d, n) => `/**
 * Ship one of the ${d} to an address.
 * @tool ${d}_ship_${n}
 * @timeout 10s
 * @param id The record's id
 * @param address Where it goes
 * @param express Next-day delivery
 */
export async function ${d}Ship${n}(
  ctx: Context,
  id: string,
  address: Address,
  express?: boolean,
): Promise<Shipment> {
  ctx.checkpoint();
  if (find(id) === undefined) throw new ToolError(\`No ${d} record \${id}\`);
  return { trackingId: \`\${id}-\${address.postcode}\`, to: address, express: express ?? false, etaDays: express ? 1 : 3 };
}
`,
  // Arrays with item-count constraints, an enum parameter.
  (d, n) => `/**
 * Set the status of several ${d} at once.
 * @tool ${d}_set_status_${n}
 * @idempotent
 * @param ids The records' ids
 * @minItems 1
 * @maxItems 50
 * @uniqueItems
 * @param status The new status
 */
export async function ${d}SetStatus${n}(ids: string[], status: Status): Promise<{ updated: number }> {
  let updated = 0;
  for (const r of records) {
    if (ids.includes(r.id)) {
      r.status = status;
      updated++;
    }
  }
  return { updated };
}
`,
  // Date-time strings, an optional end; a nested return with an index signature.
  (d, n) => `/**
 * Totals for ${d} created in a period.
 * @tool ${d}_stats_${n}
 * @readOnly
 * @param from Start of the period
 * @format date-time
 * @param to End of the period (default: now)
 * @format date-time
 * @param currency Currency of the total
 */
export async function ${d}Stats${n}(from: string, to?: string, currency: Currency = "EUR"): Promise<Stats> {
  const end = to ?? new Date().toISOString();
  const inPeriod = records.filter((r) => r.createdAt >= from && r.createdAt <= end);
  const byStatus: { [status: string]: number } = {};
  for (const r of inPeriod) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const total = inPeriod.reduce((sum, r) => sum + r.price.amount, 0);
  return { count: inPeriod.length, total: money(total, currency), byStatus };
}
`,
  // Context at the end, a nested Money parameter, a string return.
  (d, n) => `/**
 * Change the price of one of the ${d}.
 * @tool ${d}_reprice_${n}
 * @param id The record's id
 * @param price The new price
 * @param reason Why, for the audit log
 * @maxLength 200
 */
export async function ${d}Reprice${n}(id: string, price: Money, reason: string, ctx: Context): Promise<string> {
  const record = find(id);
  if (record === undefined) throw new ToolError(\`No ${d} record \${id}\`);
  record.price = price;
  ctx.log.info("repriced", { id, reason });
  return \`\${id} now costs \${price.amount} \${price.currency}\`;
}
`,
];

const TOOL_FILE_HEADER = `import { type Context, ToolError } from "fastmcp-ts";
import { DEFAULT_STATUS, find, money, nextId, records } from "../store.js";
import {
  type Address,
  type Currency,
  type Filters,
  type Money,
  type Item,
  type Shipment,
  type SortOrder,
  type Stats,
  Status,
  type Summary,
} from "../types.js";
`;

/** Writes a project with `size` tools into `dir`; returns the expected tool names. */
function generateProject(dir, size) {
  mkdirSync(join(dir, "src", "tools"), { recursive: true });
  writeFileSync(join(dir, "package.json"), PACKAGE_JSON(size));
  writeFileSync(join(dir, "tsconfig.json"), TSCONFIG);
  writeFileSync(join(dir, "src", "types.ts"), TYPES_TS);
  writeFileSync(join(dir, "src", "store.ts"), STORE_TS);
  const names = [];
  for (let file = 0; file * TOOLS_PER_FILE < size; file++) {
    const domain = DOMAINS[file % DOMAINS.length];
    const parts = [
      `// Tools for ${domain} (file ${file + 1}), generated by bench/build.mjs.\n${TOOL_FILE_HEADER}`,
    ];
    for (let k = 0; k < TOOLS_PER_FILE && file * TOOLS_PER_FILE + k < size; k++) {
      const n = file * TOOLS_PER_FILE + k + 1;
      const source = SHAPES[k % SHAPES.length](domain, n);
      names.push(/@tool (\S+)/.exec(source)[1]);
      parts.push(source);
    }
    writeFileSync(join(dir, "src", "tools", `${domain}-${file + 1}.ts`), parts.join("\n"));
  }
  return names;
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
