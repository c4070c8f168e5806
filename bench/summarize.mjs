#!/usr/bin/env node
// Summary of a side-by-side benchmark run: reads the JSONL written by bench/run.mjs and renders
// markdown. Every figure is the median over rounds with the min–max of the per-round values; ratios
// to `loop` are computed inside each round (the same driver run) before taking the median. A server
// with any void record (a wrong, missing or duplicated reply) shows VOID instead of its figures.
//
//   node bench/summarize.mjs bench/results/run-<timestamp>.jsonl   # markdown on stdout
// Exit code 1 if any figure is void. As a module: summarize(records) → { markdown, voided }.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REFERENCE = "loop";
const SUBJECT = "fastmcp-ts";

/** The targets of issue 5, for SUBJECT against REFERENCE (or, for the last one, against sdk). */
const TARGETS = [
  { label: "CPU/call ≤ 1.25× loop", part: "calls", metric: "cpu", over: REFERENCE, max: 1.25 },
  { label: "cold start ≤ 1.15× loop", part: "calls", metric: "cold", over: REFERENCE, max: 1.15 },
  { label: "idle RSS ≤ 1.15× loop", part: "calls", metric: "idle", over: REFERENCE, max: 1.15 },
  { label: "100-tool tools/list ≤ 2× loop", part: "tools100", metric: "list", over: REFERENCE, max: 2 },
  { label: "CPU/call ≥ 4× ahead of sdk", part: "calls", metric: "cpu", over: "sdk", inverse: true, min: 4 },
];

// Figures per part: key → [column title, value getter, decimals]
const CALL_FIGURES = {
  cold: ["cold start ms", (r) => r.cold?.cold_p50_ms, 1],
  seq50: ["seq p50 µs", (r) => r.seq?.p50_us, 0],
  seq99: ["seq p99 µs", (r) => r.seq?.p99_us, 0],
  rate: ["pipelined calls/s", (r) => r.pipe?.calls_per_s, 0],
  cpu: ["CPU µs/call", (r) => r.pipe?.cpu_us_per_call, 1],
  idle: ["idle RSS MiB", (r) => r.idle_rss_mib, 1],
  peak: ["peak RSS MiB", (r) => r.peak_rss_mib, 1],
};
const CALL_RATIOS = ["cold", "seq50", "rate", "cpu", "idle", "peak"];
const DETAIL_FIGURES = {
  ready: ["ready ms", (r) => r.cold?.ready_p50_ms, 1],
  exit: ["exit after EOF ms", (r) => r.cold?.exit_p50_ms, 1],
  sched: ["CPU µs/call (schedstat)", (r) => r.pipe?.cpu_sched_us_per_call, 1],
  util: ["server CPU utilisation", (r) => r.pipe?.utilisation, 2],
  driver: ["driver µs/call", (r) => r.pipe?.driver_cpu_us_per_call, 1],
  secs: ["pipelined s", (r) => r.pipe?.seconds, 2],
};

/** How the cold-start spawns ended after stdin EOF, over all rounds: "stdin EOF" or counts per way. */
function exitWays(rounds, name) {
  const ways = {};
  for (const byName of rounds.values()) {
    for (const [how, n] of Object.entries(byName.get(name)?.cold?.exit_by ?? {}))
      ways[how] = (ways[how] ?? 0) + n;
  }
  const entries = Object.entries(ways);
  if (entries.length === 1 && entries[0][0] === "eof") return "stdin EOF";
  return entries.map(([how, n]) => `${how} ×${n}`).join(", ") || "–";
}
const TOOLS100_FIGURES = {
  cold: ["cold start ms", (r) => r.cold?.cold_p50_ms, 1],
  ready: ["ready ms", (r) => r.cold?.ready_p50_ms, 1],
  list: ["tools/list µs", (r) => r.list?.p50_us, 0],
  bytes: ["tools/list KiB", (r) => (r.list?.bytes == null ? null : r.list.bytes / 1024), 1],
  idle: ["idle RSS MiB", (r) => r.idle_rss_mib, 1],
};
const TOOLS100_RATIOS = ["cold", "ready", "list"];

// ---------------------------------------------------------------------------------------------
// Numbers

function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** { med, min, max, n } of the finite values, or null. */
function spread(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x));
  if (v.length === 0) return null;
  return { med: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

function num(x, digits) {
  if (x === null || x === undefined) return "–";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function cell(s, digits, suffix = "") {
  if (s === null) return "–";
  const main = `${num(s.med, digits)}${suffix}`;
  return s.n > 1 ? `${main} (${num(s.min, digits)}–${num(s.max, digits)})` : main;
}

// ---------------------------------------------------------------------------------------------
// Grouping: part → round → name → record

function group(records) {
  const parts = new Map();
  for (const r of records) {
    if (r.type !== "server" && r.type !== "floor") continue;
    const part = r.part ?? (r.mode === "startup" ? "tools100" : "calls");
    if (!parts.has(part)) parts.set(part, new Map());
    const rounds = parts.get(part);
    const round = r.round ?? 0;
    if (!rounds.has(round)) rounds.set(round, new Map());
    rounds.get(round).set(r.name, r);
  }
  return parts;
}

/** Server names of a part in first-seen order, the reference first. */
function namesOf(rounds) {
  const names = [];
  for (const byName of rounds.values()) {
    for (const [name, r] of byName) if (r.type === "server" && !names.includes(name)) names.push(name);
  }
  return names.sort((a, b) => (b === REFERENCE) - (a === REFERENCE));
}

function isVoid(rounds, name) {
  for (const byName of rounds.values()) if (byName.get(name)?.valid === false) return true;
  return false;
}

/** Per-round values of one figure, and per-round ratios to `over` (value / over, or over / value). */
function series(rounds, name, get, over, inverse = false) {
  const values = [];
  const ratios = [];
  for (const byName of rounds.values()) {
    const r = byName.get(name);
    if (!r) continue;
    const v = get(r) ?? null;
    values.push(v);
    const o = over ? byName.get(over) : undefined;
    const ov = o ? (get(o) ?? null) : null;
    if (v !== null && ov !== null && v > 0 && ov > 0) ratios.push(inverse ? ov / v : v / ov);
  }
  return { values: spread(values), ratios: spread(ratios) };
}

// ---------------------------------------------------------------------------------------------
// Markdown

function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const align = header.map((_, i) => (i === 0 ? "---" : "---:"));
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

function figureTable(rounds, names, figures, keys) {
  const rows = names.map((name) => {
    const voided = isVoid(rounds, name);
    return [
      name,
      ...keys.map((k) => (voided ? "VOID" : cell(series(rounds, name, figures[k][1]).values, figures[k][2]))),
    ];
  });
  return table(["server", ...keys.map((k) => figures[k][0])], rows);
}

// Column titles of the ratio tables (no units: a ratio has none).
const RATIO_TITLES = {
  cold: "cold start",
  ready: "ready",
  seq50: "seq p50",
  rate: "calls/s",
  cpu: "CPU/call",
  idle: "idle RSS",
  peak: "peak RSS",
  list: "tools/list",
};

function ratioTable(rounds, names, figures, keys) {
  const refVoid = isVoid(rounds, REFERENCE);
  const rows = names.map((name) => {
    const voided = refVoid || isVoid(rounds, name);
    return [
      name,
      ...keys.map((k) =>
        voided ? "VOID" : cell(series(rounds, name, figures[k][1], REFERENCE).ratios, 2, "×"),
      ),
    ];
  });
  return table(["server", ...keys.map((k) => RATIO_TITLES[k])], rows);
}

function problemsOf(rounds, label) {
  const out = [];
  for (const [round, byName] of rounds) {
    for (const r of byName.values()) {
      if (r.valid !== false) continue;
      const shown = (r.problems ?? []).slice(0, 5).map((p) => `  - ${p}`);
      const more = r.problem_count > shown.length ? [`  - … ${r.problem_count} problem(s) in all`] : [];
      out.push(`- **VOID** ${label}, round ${round + 1}, ${r.name}:`, ...shown, ...more);
    }
  }
  return out;
}

function rejectsTable(rounds, names) {
  const labels = [];
  for (const byName of rounds.values()) {
    for (const r of byName.values())
      for (const l of Object.keys(r.rejects ?? {})) if (!labels.includes(l)) labels.push(l);
  }
  if (labels.length === 0) return null;
  const rows = names.map((name) => {
    const cells = labels.map((l) => {
      const seen = [...rounds.values()].map((b) => b.get(name)?.rejects?.[l]).filter((v) => v !== undefined);
      if (seen.length === 0) return "–";
      if (seen.every((v) => v === true)) return "rejected";
      if (seen.every((v) => v === false)) return "accepted";
      return seen.map((v) => (v === null ? "no reply" : v ? "rejected" : "accepted")).join("/");
    });
    return [name, ...cells];
  });
  return table(["server", ...labels.map((l) => `\`${l}\``)], rows);
}

function targetsBlock(parts) {
  const lines = [];
  for (const t of TARGETS) {
    const rounds = parts.get(t.part);
    const figures = t.part === "calls" ? CALL_FIGURES : TOOLS100_FIGURES;
    let verdict;
    let detail = "";
    if (!rounds || !namesOf(rounds).includes(SUBJECT) || !namesOf(rounds).includes(t.over)) {
      verdict = "n/a";
      detail = `(${SUBJECT} or ${t.over} not measured)`;
    } else if (isVoid(rounds, SUBJECT) || isVoid(rounds, t.over)) {
      verdict = "VOID";
      detail = `(${SUBJECT} or ${t.over} has void figures)`;
    } else {
      const s = series(rounds, SUBJECT, figures[t.metric][1], t.over, t.inverse).ratios;
      if (s === null) {
        verdict = "n/a";
        detail = "(no figures)";
      } else {
        const ok = t.max !== undefined ? s.med <= t.max : s.med >= t.min;
        verdict = ok ? "PASS" : "MISS";
        detail = `median ${cell(s, 2, "×")}${s.n > 1 ? " over rounds" : ""}`;
      }
    }
    lines.push(`- **${verdict}** ${SUBJECT}: ${t.label} — ${detail}`);
  }
  return lines;
}

function floorLine(rounds) {
  const values = [];
  for (const byName of rounds.values()) {
    const f = [...byName.values()].find((r) => r.type === "floor");
    if (f) values.push(f.p50_ms);
  }
  const s = spread(values);
  return s === null
    ? null
    : `Node floor (\`node -e 0\`, spawn → exit, interleaved with the cold starts): ${cell(s, 1)} ms`;
}

function machineBlock(env, end) {
  if (!env) return [];
  const m = env.machine ?? {};
  const load = (l) => (Array.isArray(l) ? l.map((x) => x.toFixed(2)).join(" / ") : "?");
  const lines = [
    `- machine: ${m.cpus} × ${m.cpu_model ?? "?"}, ${m.os ?? "?"}, ${m.memory_gib ?? "?"} GiB; Node ${m.node ?? "?"}`,
    `- load average (1/5/15 min): before ${load(m.loadavg_before)}, after ${load(end?.loadavg_after)}`,
    `- fastmcp-ts ${env.fastmcp_ts?.version ?? "?"} at ${env.fastmcp_ts?.commit ?? "?"}${env.fastmcp_ts?.dirty ? " (with uncommitted changes in src/)" : ""}`,
  ];
  const versions = Object.entries(env.versions ?? {}).map(([k, v]) => `${k} ${v}`);
  if (versions.length > 0) lines.push(`- bench packages: ${versions.join(", ")}`);
  if (env.options) lines.push(`- options: ${JSON.stringify(env.options)}`);
  if (end?.duration_s !== undefined) lines.push(`- run took ${Math.round(end.duration_s)} s`);
  return lines;
}

/** records: parsed JSONL objects. Returns { markdown, voided }. */
export function summarize(records) {
  const env = records.find((r) => r.type === "env");
  const end = records.find((r) => r.type === "end");
  const parts = group(records);
  const out = [];
  let voided = records.some((r) => r.valid === false);

  out.push(`# Side-by-side benchmark${env?.started ? `, ${env.started}` : ""}`, "");
  out.push(
    "Median over rounds (min–max of the per-round values). Ratios are taken to `loop` inside each round, then",
    "the median is taken. Cold start = spawn → initialize answered. CPU = server process tree user+system time",
    "over the pipelined phase. VOID = at least one wrong, missing or duplicated reply: do not use the figure.",
    "",
  );
  if (env?.options?.quick)
    out.push("**Quick smoke run**: small amounts, rough figures. Use a full run to compare.", "");

  const calls = parts.get("calls");
  if (calls) {
    const names = namesOf(calls);
    out.push(`## 3 tools: calls (${calls.size} round(s))`, "");
    out.push(figureTable(calls, names, CALL_FIGURES, Object.keys(CALL_FIGURES)), "");
    out.push("Ratio to `loop` (server ÷ loop; for calls/s below 1 is slower):", "");
    out.push(ratioTable(calls, names, CALL_FIGURES, CALL_RATIOS), "");
    const floor = floorLine(calls);
    if (floor) out.push(floor, "");
    out.push("Details (cross-checks: CPU from schedstat in ns, driver CPU on the clock per call):", "");
    const details = figureTable(calls, names, DETAIL_FIGURES, Object.keys(DETAIL_FIGURES)).split("\n");
    details[0] += " exits by |";
    details[1] += " --- |";
    names.forEach((name, i) => {
      details[i + 2] += ` ${exitWays(calls, name)} |`;
    });
    out.push(details.join("\n"), "");
    const rejects = rejectsTable(calls, names);
    if (rejects)
      out.push("Bad arguments (informational; `loop` does not validate by design):", "", rejects, "");
  }

  const t100 = parts.get("tools100");
  if (t100) {
    const names = namesOf(t100);
    out.push(`## 100 tools: start-up and tools/list (${t100.size} round(s))`, "");
    out.push(figureTable(t100, names, TOOLS100_FIGURES, Object.keys(TOOLS100_FIGURES)), "");
    out.push("Ratio to `loop`:", "");
    out.push(ratioTable(t100, names, TOOLS100_FIGURES, TOOLS100_RATIOS), "");
  }

  out.push("## Targets", "", ...targetsBlock(parts), "");

  const problems = [
    ...(calls ? problemsOf(calls, "3 tools") : []),
    ...(t100 ? problemsOf(t100, "100 tools") : []),
  ];
  if (end?.errors?.length) {
    voided = true;
    problems.push(...end.errors.map((e) => `- **ERROR** ${e}`));
  }
  if (problems.length > 0) out.push("## Void figures", "", ...problems, "");
  const shortPhases = new Map();
  for (const r of records) {
    if (r.pipe?.warning) shortPhases.set(r.name, [...(shortPhases.get(r.name) ?? []), (r.round ?? 0) + 1]);
  }
  const warnings = [...shortPhases].map(
    ([name, rounds]) =>
      `- ${name}: pipelined phase under 0.2 s in round(s) ${rounds.join(", ")}: CPU/call is coarse`,
  );
  if (warnings.length > 0) out.push("## Warnings", "", ...warnings, "");

  out.push("## Machine", "", ...machineBlock(env, end), "");
  return { markdown: out.join("\n"), voided };
}

export function readJsonl(path) {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: node bench/summarize.mjs bench/results/run-<timestamp>.jsonl");
    process.exit(2);
  }
  const { markdown, voided } = summarize(readJsonl(path));
  process.stdout.write(`${markdown}\n`);
  process.exitCode = voided ? 1 : 0;
}
