// Self-check of the benchmark's servers (not a test; run by hand): `node bench/servers/check.mjs`.
// Prepares the servers, then for each server and size (3 and 100 tools) starts it and sends, as raw
// NDJSON: initialize, notifications/initialized, tools/list, the contract's calls with known
// arguments (and one extra tool for 100), and the three calls with bad arguments; then closes stdin.
// Prints one row of pass/fail per server and size, the failures below, and exits 1 if any check
// failed. The loop does not validate, so its bad-argument checks are skipped ("-").
import { spawn } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import { prepareServers, serverCommands } from "./index.mjs";

const TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 3_000;
const PROTOCOL_VERSION = "2025-06-18";
const NOT_VALIDATING = new Set(["loop"]);

const ECHO_TEXT = 'Grüße, "quotes", back\\slash, tab\t, new\nline, 日本語 and 🎉';
const SINCE = "2025-11-25T10:00:00Z";

function searchResult(query, limit, tags, since) {
  const hits = [];
  for (let i = 1; i <= Math.min(limit, 3); i++) hits.push({ id: i, title: `${query} #${i}` });
  return { query, limit, tags, since, hits };
}

// Calls with valid arguments: [check, tool, arguments, is the result text right?]
const CALLS = [
  ["echo", "echo", { message: ECHO_TEXT }, (text) => text === ECHO_TEXT],
  ["add", "add", { a: 1.25, b: -8 }, (text) => text === "-6.75"],
  [
    "search",
    "search",
    { query: "mcp", limit: 2, filters: { tags: ["x", "y"], since: SINCE } },
    (text) => isDeepStrictEqual(JSON.parse(text), searchResult("mcp", 2, ["x", "y"], SINCE)),
  ],
  [
    "search0",
    "search",
    { query: "défaut" },
    (text) => isDeepStrictEqual(JSON.parse(text), searchResult("défaut", 10, [], null)),
  ],
];
const EXTRA_CALL = [
  "extra",
  "tool_050",
  { query: "abc", limit: 5, mode: "exact", filters: { tags: ["t"], since: SINCE } },
  (text) => text === "tool_050: ok",
];
const BAD_CALLS = [
  ["bad-add", "add", { a: "x", b: 1 }],
  ["bad-limit", "search", { query: "q", limit: 0 }],
  ["bad-since", "search", { query: "q", filters: { tags: [], since: "not-a-date" } }],
];
const COLUMNS = [
  "init",
  "list",
  ...CALLS.map((c) => c[0]),
  "extra",
  ...BAD_CALLS.map((c) => c[0]),
  "stdout",
  "eof",
];

/** One server process and the client side of its NDJSON session. */
class Session {
  constructor(command) {
    this.child = spawn(command[0], command.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.pending = new Map();
    this.nextId = 1;
    this.junk = [];
    this.stderr = "";
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    this.child.on("error", (err) => this.fail(err));
    this.child.stdin.on("error", () => {}); // a server that died is reported by its checks
    this.child.stderr.setEncoding("utf8").on("data", (text) => {
      this.stderr += text;
    });
    let buffer = "";
    this.child.stdout.setEncoding("utf8").on("data", (text) => {
      buffer += text;
      const lines = buffer.split("\n");
      buffer = lines.pop();
      for (const line of lines) if (line.trim() !== "") this.receive(line);
    });
    this.exited.then(() => this.fail(new Error(`server exited\n${this.stderr}`)));
  }

  receive(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      this.junk.push(line);
      return;
    }
    if (message?.jsonrpc !== "2.0") {
      this.junk.push(line);
    } else if (typeof message.method === "string") {
      // A request from the server (ping, roots/list) gets an answer; notifications are ignored.
      if (message.id === undefined) return;
      if (message.method === "ping") this.send({ jsonrpc: "2.0", id: message.id, result: {} });
      else if (message.method === "roots/list")
        this.send({ jsonrpc: "2.0", id: message.id, result: { roots: [] } });
      else
        this.send({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } });
    } else {
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) this.junk.push(`unexpected reply: ${line}`);
      else {
        this.pending.delete(message.id);
        waiter.resolve(message);
      }
    }
  }

  send(message) {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends a request; resolves with the whole reply (result or error). */
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${method} in ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
      this.pending.set(id, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  fail(err) {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  /** Closes stdin; resolves true if the process exits within EXIT_TIMEOUT_MS (else kills it). */
  async close() {
    this.child.stdin.end();
    const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), EXIT_TIMEOUT_MS).unref());
    if ((await Promise.race([this.exited, timeout])) !== "timeout") return true;
    this.child.kill("SIGKILL");
    await this.exited;
    return false;
  }
}

function textOf(reply) {
  if (reply.error !== undefined)
    return { error: `JSON-RPC error ${reply.error.code}: ${reply.error.message}` };
  const { content, isError } = reply.result ?? {};
  if (isError === true) return { error: `isError: ${JSON.stringify(content)}` };
  if (!Array.isArray(content) || content.length !== 1 || content[0].type !== "text") {
    return { error: `unexpected content: ${JSON.stringify(content)}` };
  }
  return { text: content[0].text };
}

/** Runs every check against one server; returns { results: Map(column → "ok"|"FAIL"|"-"), failures, initMs }. */
async function checkServer(name, command, size) {
  const results = new Map(COLUMNS.map((column) => [column, "-"]));
  const failures = [];
  const record = (column, ok, detail) => {
    results.set(column, ok ? "ok" : "FAIL");
    if (!ok) failures.push(`${column}: ${detail}`);
  };
  const started = performance.now();
  const session = new Session(command);
  let initMs;
  try {
    const init = await session.request("initialize", {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "bench-check", version: "1.0.0" },
    });
    initMs = performance.now() - started;
    record(
      "init",
      init.result?.protocolVersion === PROTOCOL_VERSION && typeof init.result?.serverInfo?.name === "string",
      JSON.stringify(init),
    );
    session.send({ jsonrpc: "2.0", method: "notifications/initialized" });

    const tools = [];
    let cursor;
    do {
      const list = await session.request("tools/list", cursor === undefined ? {} : { cursor });
      tools.push(...(list.result?.tools ?? []));
      cursor = list.result?.nextCursor;
    } while (cursor !== undefined);
    const names = new Set(tools.map((tool) => tool.name));
    record(
      "list",
      tools.length === size && names.size === size && ["echo", "add", "search"].every((n) => names.has(n)),
      `${tools.length} tools (${names.size} names), expected ${size} with echo, add and search`,
    );

    const calls = size === 100 ? [...CALLS, EXTRA_CALL] : CALLS;
    const call = (tool, args) => session.request("tools/call", { name: tool, arguments: args });
    const [good, bad] = await Promise.all([
      Promise.all(calls.map(([, tool, args]) => call(tool, args))),
      Promise.all(BAD_CALLS.map(([, tool, args]) => call(tool, args))),
    ]);
    calls.forEach(([column, , , isRight], i) => {
      const { text, error } = textOf(good[i]);
      let ok = false;
      try {
        ok = error === undefined && isRight(text);
      } catch {}
      record(column, ok, error ?? `wrong text ${JSON.stringify(text)}`);
    });
    if (!NOT_VALIDATING.has(name)) {
      BAD_CALLS.forEach(([column], i) => {
        const rejected = bad[i].error !== undefined || bad[i].result?.isError === true;
        record(column, rejected, `accepted: ${JSON.stringify(bad[i])}`);
      });
    }
  } catch (err) {
    failures.push(`session: ${err.message}`);
  }
  const exited = await session.close();
  record("eof", exited, `still running ${EXIT_TIMEOUT_MS} ms after stdin closed (killed)`);
  record("stdout", session.junk.length === 0, `not protocol: ${session.junk.slice(0, 3).join(" | ")}`);
  if (failures.length > 0 && session.stderr !== "")
    failures.push(`stderr: ${session.stderr.trim().slice(0, 2000)}`);
  return { results, failures, initMs };
}

async function main() {
  await prepareServers({ log: (line) => console.error(`prepare: ${line}`) });
  let failed = false;
  for (const size of [3, 100]) {
    console.log(`\n${size} tools`);
    console.log(
      ["server".padEnd(11), "init ms".padStart(7), ...COLUMNS.map((c) => c.padEnd(9))].join(" ").trimEnd(),
    );
    const failures = [];
    for (const { name, command } of serverCommands(size)) {
      const { results, failures: own, initMs } = await checkServer(name, command, size);
      const cells = COLUMNS.map((column) => results.get(column).padEnd(9));
      const ms = initMs === undefined ? "-" : initMs.toFixed(0);
      console.log([name.padEnd(11), ms.padStart(7), ...cells].join(" ").trimEnd());
      for (const failure of own) failures.push(`  ${name}: ${failure}`);
    }
    if (failures.length > 0) {
      failed = true;
      console.log(failures.join("\n"));
    }
  }
  console.log(failed ? "\nFAIL" : "\nall servers pass");
  process.exitCode = failed ? 1 : 0;
}

await main();
