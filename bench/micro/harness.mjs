// Shared by the in-process micro-benchmarks: the runtime's transport-neutral Connection (what
// serve() wires to stdin/stdout) over an in-memory Outbound that counts what it is handed, plus
// small statistics helpers. Imports the compiled runtime: run `npm run build` first.
import { loadavg } from "node:os";
import { Catalog } from "../../dist/runtime/catalog.js";
import { Connection } from "../../dist/runtime/connection.js";

export const SERVER = { name: "micro-bench", version: "1.0.0" };

/** An Outbound (requests.ts) that keeps nothing but counts, and resolves a waiter at a count. */
export class CountingOutbound {
  congested = false;
  responses = 0;
  notifications = 0;
  /** The last line of each kind, to check that the benchmark measures what it claims. */
  lastResponse = "";
  lastNotification = "";
  #target = Number.POSITIVE_INFINITY;
  #wake = () => {};

  send(line) {
    this.lastResponse = line;
    if (++this.responses >= this.#target) {
      this.#target = Number.POSITIVE_INFINITY;
      this.#wake();
    }
  }

  sendDroppable(line) {
    this.lastNotification = line;
    this.notifications++;
  }

  /** Resolves once `responses` reaches `count` (at once if it already has). */
  until(count) {
    if (this.responses >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.#target = count;
      this.#wake = resolve;
    });
  }
}

/**
 * A Connection over a CountingOutbound, past its initialize handshake, serving `tools`
 * (DispatchTable tool entries). `report` receives what the server would print to stderr.
 */
export function connect(tools, options = {}, report = (message) => console.error(`[server] ${message}`)) {
  const out = new CountingOutbound();
  const catalog = new Catalog({ server: SERVER, tools }, 500);
  const connection = new Connection(SERVER, catalog, out, report, options);
  connection.receive(
    JSON.stringify({
      jsonrpc: "2.0",
      id: "init",
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "micro", version: "1" },
      },
    }),
  );
  if (!out.lastResponse.includes('"protocolVersion"'))
    throw new Error(`initialize failed: ${out.lastResponse}`);
  connection.receive('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  return { connection, out };
}

/** A tools/call line as a client sends it. */
export function callLine(id, name, args, progressToken) {
  const params =
    progressToken === undefined
      ? { name, arguments: args }
      : { name, arguments: args, _meta: { progressToken } };
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params });
}

/** An input schema as the compiler emits it for `(a: number, b: number)`. */
export const TWO_NUMBERS = {
  type: "object",
  properties: { a: { type: "number" }, b: { type: "number" } },
  required: ["a", "b"],
  additionalProperties: false,
};

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values, p) {
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function fixed(value, digits = 2) {
  return value.toFixed(digits);
}

/** One line about where the figures come from; a busy 2-core machine moves them a lot. */
export function environment() {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  return `node ${process.version}, ${process.platform}/${process.arch}, load average ${load}`;
}

/** Prints rows (arrays of cells) as an aligned table; the first row is the header. */
export function printTable(rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  const line = (row) =>
    row.map((cell, col) =>
      col === 0 ? String(cell).padEnd(widths[col]) : String(cell).padStart(widths[col]),
    );
  console.log(line(rows[0]).join("  "));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row).join("  "));
}

/** `--name value` from the command line, as a number. */
export function numberArg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}
