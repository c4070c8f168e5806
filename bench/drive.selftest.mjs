#!/usr/bin/env node
// Self-test of bench/drive.mjs: proves that the driver's reply checks void broken servers.
//
// It writes a tiny stdio server that follows the tool contract but can be told to misbehave once,
// at its N-th tools/call (wrong echo text, wrong add sum, wrong search JSON, a duplicated reply, a
// dropped reply, a reply under another id, an unparseable line, a crash), runs the driver over all
// variants interleaved (faults placed in the sequential and in the pipelined phase), and checks that
// exactly the broken ones come out void, with the expected reason. A well-behaved server that sends
// pings and notifications to the client must stay valid. Startup mode is checked for the tool count.
//
//   node bench/drive.selftest.mjs            (not part of vitest; exit code 1 on failure)
//   node bench/drive.selftest.mjs --verbose  (also print each record's problems)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drive } from "./drive.mjs";

// The tiny server: `node tiny.mjs <fault> <n>`; fault is one of the keys handled in reply().
const TINY = String.raw`
const [fault = "none", nArg = "0"] = process.argv.slice(2);
const N = Number(nArg);
const schema = { type: "object", properties: {} };
const tools = ["echo", "add", "search"].map((name) => ({ name, inputSchema: schema }));
const text = (t) => ({ content: [{ type: "text", text: t }] });
let calls = 0;

function call(name, a) {
  if (name === "echo") return text(a.message);
  if (name === "add") return text(String(a.a + a.b));
  const limit = a.limit ?? 10;
  const hits = [];
  for (let i = 1; i <= Math.min(limit, 3); i++) hits.push({ id: i, title: a.query + " #" + i });
  return text(JSON.stringify({ query: a.query, limit, tags: a.filters?.tags ?? [], since: a.filters?.since ?? null, hits }));
}

function reply(msg) {
  const out = (result, id = msg.id) => JSON.stringify({ jsonrpc: "2.0", id, result }) + "\n";
  if (msg.method === "initialize") {
    return out({ protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "tiny", version: "0" } });
  }
  if (msg.method === "tools/list") return out({ tools });
  if (msg.method !== "tools/call") return "";
  calls++;
  const p = msg.params;
  let result = call(p.name, p.arguments);
  if (calls !== N) {
    if (fault === "chatty" && calls % 7 === 0) {
      return '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}\n' +
        '{"jsonrpc":"2.0","id":"srv-' + calls + '","method":"ping"}\n' + out(result);
    }
    return out(result);
  }
  switch (fault) {
    case "wrong-echo":
      if (p.name !== "echo") { N++; return out(result); }
      return out(text(p.arguments.message + " "));
    case "wrong-add":
      if (p.name !== "add") { N++; return out(result); }
      return out(text(String(p.arguments.a + p.arguments.b + 1)));
    case "wrong-search":
      if (p.name !== "search") { N++; return out(result); }
      result = JSON.parse(result.content[0].text);
      result.limit = 11;
      return out(text(JSON.stringify(result)));
    case "duplicate": return out(result) + out(result);
    case "missing": return "";
    case "other-id": return out(result, msg.id + 100000);
    case "garbage": return "{not json\n" + out(result);
    case "crash": process.exit(3);
    default: return out(result);
  }
}

let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buf += chunk;
  let out = "";
  let nl;
  while ((nl = buf.indexOf("\n")) !== -1) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (line.trim() === "") continue;
    const msg = JSON.parse(line);
    if (msg.method !== undefined) out += reply(msg);
  }
  if (out) process.stdout.write(out);
});
process.stdin.on("end", () => process.exit(0));
`.replace("const N =", "let N =");

const OPTIONS = {
  cold: 1,
  seq: 60,
  seqWarmup: 0,
  pipe: 900,
  pipeWarmup: 0,
  depth: 16,
  chunks: 3,
  stallMs: 800,
  termMs: 500,
  quiet: true,
};
// Calls 1-60 are sequential echo calls, 61-960 the pipelined mix; the 3 rejection probes follow.
const SEQ_CALL = 25;
const PIPE_CALL = 400;

// name → [fault, n, expected problem pattern or null for "must stay valid"]
const CASES = {
  good: ["none", 0, null],
  chatty: ["chatty", 0, null],
  "wrong-echo-seq": ["wrong-echo", SEQ_CALL, /got text .*expected/],
  "wrong-echo-pipe": ["wrong-echo", PIPE_CALL, /echo id \d+: got text/],
  "wrong-add": ["wrong-add", PIPE_CALL, /add id \d+: got text/],
  "wrong-search": ["wrong-search", PIPE_CALL, /search id \d+: got .*expected/],
  "duplicate-seq": ["duplicate", SEQ_CALL, /duplicate reply for id/],
  "duplicate-pipe": ["duplicate", PIPE_CALL, /duplicate reply for id/],
  "missing-seq": ["missing", SEQ_CALL, /no reply to 1 request/],
  "missing-pipe": ["missing", PIPE_CALL, /no reply to 1 request/],
  "other-id": ["other-id", PIPE_CALL, /unknown id/],
  garbage: ["garbage", PIPE_CALL, /unparseable line/],
  crash: ["crash", PIPE_CALL, /exited unexpectedly/],
};

const dir = mkdtempSync(join(tmpdir(), "drive-selftest-"));
let failures = 0;
const check = (label, fn) => {
  try {
    fn();
    console.log(`ok    ${label}`);
  } catch (e) {
    failures++;
    console.log(`FAIL  ${label}\n      ${e.message.split("\n").join("\n      ")}`);
  }
};

try {
  const tiny = join(dir, "tiny.mjs");
  writeFileSync(tiny, TINY);
  const servers = Object.entries(CASES).map(([name, [fault, n]]) => ({
    name,
    command: [process.execPath, tiny, fault, String(n)],
  }));

  console.log(`calls mode: ${servers.length} tiny servers, interleaved`);
  const records = await drive(servers, OPTIONS);
  for (const [name, [, , expected]] of Object.entries(CASES)) {
    const rec = records.find((r) => r.name === name);
    if (process.argv.includes("--verbose")) console.log(`      ${name}: ${rec?.problems.join("\n        ")}`);
    check(name, () => {
      assert.ok(rec, "no record");
      if (expected === null) {
        assert.equal(rec.valid, true, `expected valid, problems: ${rec.problems.join(" | ")}`);
        assert.equal(rec.pipe.n, OPTIONS.pipe);
        assert.equal(rec.seq.n, OPTIONS.seq);
      } else {
        assert.equal(rec.valid, false, "expected VOID");
        assert.ok(
          rec.problems.some((p) => expected.test(p)),
          `no problem matches ${expected}: ${rec.problems.join(" | ")}`,
        );
      }
    });
  }
  const chatty = records.find((r) => r.name === "chatty");
  check("chatty: server pings answered, notifications counted", () => {
    assert.ok(chatty.server_requests.ping > 0);
    assert.ok(chatty.notifications["notifications/message"] > 0);
  });

  console.log("startup mode: tool count");
  const good = servers.find((s) => s.name === "good");
  const startup = { ...OPTIONS, mode: "startup", list: 10, listWarmup: 2 };
  const [right] = await drive([good], { ...startup, expectTools: 3 });
  const [wrong] = await drive([good], { ...startup, expectTools: 100 });
  check("3 tools expected: valid", () => {
    assert.equal(right.valid, true, right.problems.join(" | "));
    assert.equal(right.list.n, 10);
  });
  check("100 tools expected: VOID", () => {
    assert.equal(wrong.valid, false);
    assert.ok(
      wrong.problems.some((p) => /has 3 tools, expected 100/.test(p)),
      wrong.problems.join(" | "),
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(failures === 0 ? "drive self-test: all passed" : `drive self-test: ${failures} failure(s)`);
process.exitCode = failures === 0 ? 0 : 1;
