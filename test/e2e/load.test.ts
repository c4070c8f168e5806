// Load and back-pressure (DESIGN §3 "Concurrency"): thousands of calls, each answered once; bounded queue and memory.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { connect, killStrays, type Message, RawServer, responsesFor, sleep } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

/** How many responses (not notifications) each id received. */
function countById(messages: readonly Message[]): Map<unknown, number> {
  const counts = new Map<unknown, number>();
  for (const m of messages) if (!("method" in m)) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  return counts;
}

/** A line of /proc/<pid>/status in kB, e.g. VmHWM (peak resident set size). */
function procStatusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

describe("many concurrent calls", () => {
  it("answers 2,000 concurrent add calls from the SDK client, each exactly once", async () => {
    const session = await connect();
    try {
      const { client } = session;
      const n = 2000;
      const args = Array.from({ length: n }, (_, i) => ({ a: i * 3 + 0.5, b: 1_000_000 - i * 7 }));
      const results = await Promise.all(args.map((a) => client.callTool({ name: "add", arguments: a })));
      results.forEach((result, i) => {
        const { a, b } = args[i] as { a: number; b: number };
        const r = result as ToolResult;
        expect(r.isError, `call ${i}`).toBeUndefined();
        expect(r.content).toEqual([{ type: "text", text: String(a + b) }]);
      });
      const sent = session.wire.filter((e) => e.dir === "out" && e.msg.method === "tools/call");
      expect(sent).toHaveLength(n);
      expect(new Set(sent.map((e) => e.msg.id)).size).toBe(n);
      for (const e of sent) expect(responsesFor(session.wire, e.msg.id), `id ${e.msg.id}`).toHaveLength(1);
      const responses = session.wire.filter((e) => e.dir === "in" && !("method" in e.msg));
      expect(responses).toHaveLength(n + 1); // plus the initialize response
    } finally {
      await session.close();
    }
  }, 120_000);

  it("answers 2,000 calls pipelined in a single write, each exactly once", async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      const n = 2000;
      let batch = "";
      for (let i = 0; i < n; i++) {
        const params = { name: "add", arguments: { a: i, b: i * i } };
        batch += `${JSON.stringify({ jsonrpc: "2.0", id: `p${i}`, method: "tools/call", params })}\n`;
      }
      const from = server.messages.length;
      server.write(batch);
      await server.until(
        () => (server.messages.length - from >= n ? true : undefined),
        60_000,
        `${n} responses`,
      );
      // Anything answered twice would show up after a final round trip.
      await server.request("ping");
      const got = server.messages.slice(from).filter((m) => m.id !== undefined && m.id !== null);
      const counts = countById(got);
      for (let i = 0; i < n; i++) {
        expect(counts.get(`p${i}`), `p${i}`).toBe(1);
      }
      expect(counts.size).toBe(n + 1); // plus the ping
      for (const m of got) {
        if (m.id === undefined || !String(m.id).startsWith("p")) continue;
        const i = Number(String(m.id).slice(1));
        expect((m.result as ToolResult).content[0]?.text).toBe(String(i + i * i));
      }
      expect((await server.end()).code).toBe(0);
    } finally {
      server.kill();
      await server.exited;
    }
  }, 120_000);
});

describe("back-pressure against a client that stops reading", () => {
  it("stops reading stdin, bounds its queue and output backlog, and loses nothing", async () => {
    const maxConcurrency = 4;
    const maxQueued = 50;
    const n = 3000;
    const size = 20_000;
    const server = new RawServer([
      "--max-concurrency",
      String(maxConcurrency),
      "--max-queued",
      String(maxQueued),
    ]);
    try {
      await server.initialize();
      const pid = server.child.pid as number;
      const baselineKb = procStatusKb(pid, "VmRSS");
      const from = server.messages.length;

      server.child.stdout.pause();
      for (let i = 0; i < n; i++) {
        server.send({
          jsonrpc: "2.0",
          id: i,
          method: "tools/call",
          params: { name: "payload", arguments: { size } },
        });
      }
      // 3,000 requests are ~300 kB of input. A server that keeps serving a client that does not
      // read can hold only a few pipes' worth of it (its stdout pipe is full, its queue is capped),
      // so some of our input must stay in our own buffer, unread, for as long as we do not read.
      await server.until(
        () => (server.child.stdin.writableLength > 0 ? true : undefined),
        10_000,
        "stdin to back up",
      );
      for (let probe = 0; probe < 10; probe++) {
        await sleep(50); // not a timing assertion: a server that stopped reading never drains it
        expect(server.child.stdin.writableLength).toBeGreaterThan(0);
      }

      server.child.stdout.resume();
      await server.until(
        () => (server.messages.length - from >= n ? true : undefined),
        120_000,
        `${n} responses`,
      );
      const stats = await server.call("stats", {});
      const got = server.messages.slice(from).filter((m) => typeof m.id === "number");
      const counts = countById(got);
      expect(counts.size).toBe(n);
      for (let i = 0; i < n; i++) expect(counts.get(i), `id ${i}`).toBe(1);
      for (const m of got) {
        const result = m.result as ToolResult;
        expect(result.isError).toBeUndefined();
        expect(result.content[0]?.text.length).toBe(size);
      }

      // Soft, so that one run reports every counter that is out of bounds.
      const counters = (stats.result as { structuredContent: Record<string, number> }).structuredContent;
      expect(counters.requests).toBe(n + 2); // initialize, the payloads, stats
      expect.soft(counters.maxInFlight).toBeLessThanOrEqual(maxConcurrency);
      expect.soft(counters.maxQueued).toBeLessThanOrEqual(maxQueued);
      expect.soft(counters.congestions).toBeGreaterThanOrEqual(1);
      // While stdout is congested no queued request starts, so what the server holds is at most
      // the responses of the requests already running: maxConcurrency × one response line
      // (20,000 chars of payload plus < 200 chars of envelope), plus one 64 KiB pipe's worth of
      // small lines as slack. That is ~145 kB, against the 60 MB that passed through.
      const lineBound = size + 200;
      const backlogBound = maxConcurrency * lineBound + 64 * 1024;
      expect.soft(counters.peakBacklog).toBeLessThanOrEqual(backlogBound);
      expect.soft(counters.inFlight).toBe(1); // the stats call itself

      // Peak memory: 60 MB of responses passed through while the client was not reading. A server
      // that held them (even once, as one joined string) would grow by at least that much over its
      // footprint after initialize; a bounded one grows by a few MB (pipe-sized batches plus GC
      // slack; ~15 MB measured). So: the peak resident set may exceed the post-initialize one by
      // less than the traffic itself — generous, yet it catches unbounded buffering. (An absolute
      // 250 MiB would not: holding all 60 MB costs ~200 MiB with string, joined copy and buffer.)
      const peakKb = procStatusKb(pid, "VmHWM");
      const trafficKb = (n * size) / 1024;
      const growthKb = peakKb - baselineKb;
      expect
        .soft(
          growthKb,
          `peak RSS ${(peakKb / 1024).toFixed(1)} MiB, after initialize ${(baselineKb / 1024).toFixed(1)} MiB`,
        )
        .toBeLessThan(trafficKb);
      expect.soft(peakKb / 1024).toBeLessThan(250);
      expect((await server.end()).code).toBe(0);
    } finally {
      server.kill();
      await server.exited;
    }
  }, 180_000);
});
