// Edge cases of the request lifecycle: long queues of synchronous handlers, a full queue that must
// still see cancellations and end of input, failing children under stubborn handlers, broken
// thenables, masked sections past their budget, a closed stderr and a late reader at shutdown.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { call, connect, journal, killStrays, RawServer, sleep } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

describe("queues", () => {
  it("drains 2,000 queued synchronous calls without deep recursion", async () => {
    const server = new RawServer(["--max-concurrency", "1", "--max-queued", "2010"]);
    try {
      await server.initialize();
      let batch = `${JSON.stringify({ jsonrpc: "2.0", id: "slow", method: "tools/call", params: { name: "sleep", arguments: { ms: 300 } } })}\n`;
      for (let i = 0; i < 2000; i++) {
        batch += `${JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "add", arguments: { a: i, b: 1 } } })}\n`;
      }
      const from = server.messages.length;
      server.write(batch);
      await server.until(
        () => (server.messages.length - from >= 2001 ? true : undefined),
        30_000,
        "2,001 answers",
      );
      const answers = server.messages.slice(from);
      expect(answers.filter((m) => "error" in m)).toEqual([]);
      expect(new Set(answers.map((m) => m.id)).size).toBe(2001);
      expect((await server.call("echo", { message: "still serving" })).result).toEqual({
        content: [{ type: "text", text: "still serving" }],
      });
      expect(server.stderr).not.toMatch(/Maximum call stack/);
    } finally {
      await server.end();
    }
  });

  it("still sees a cancellation and the end of input while its queue is full", async () => {
    const server = new RawServer(["--max-concurrency", "1", "--max-queued", "1", "--timeout", "0"]);
    try {
      await server.initialize();
      const from = server.messages.length;
      const send = (id: string, ms: number) =>
        server.send({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: { name: "sleep", arguments: { ms } },
        });
      send("long", 600_000);
      send("queued-1", 10);
      send("queued-2", 10);
      send("queued-3", 10);
      server.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "long" } });
      await server.waitFor((m) => m.id === "queued-3", 10_000, from);
      const exit = await server.end();
      expect(exit.code).toBe(0);
      const ids = server.messages.slice(from).map((m) => m.id);
      expect(ids).toEqual(["queued-1", "queued-2", "queued-3"]);
    } finally {
      server.kill();
    }
  });
});

describe("stubborn handlers", () => {
  it("ends a handler that ignores its signal after a child failed, once the grace ran out", async () => {
    const session = await connect(["--grace", "200"]);
    try {
      const outcome = await session.client
        .callTool({ name: "childFailsStubborn", arguments: {} }, undefined, { timeout: 2500 })
        .catch((e: unknown) => e);
      expect(outcome).toMatchObject({ code: -32603, message: expect.stringMatching(/ref [0-9a-f]{8}/) });
      expect(session.stderr()).toMatch(/child exploded/);
      expect(session.stderr()).toMatch(/tool "childFailsStubborn" .*abandoned/);
    } finally {
      await session.close();
    }
  });

  it("turns a thenable whose then() throws into a panic and serves the next line of the same write", async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      const from = server.messages.length;
      server.write(
        `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "badThenable", arguments: {} } })}\n` +
          `${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { message: "next" } } })}\n`,
      );
      const bad = await server.waitFor((m) => m.id === 1, 10_000, from);
      const next = await server.waitFor((m) => m.id === 2, 10_000, from);
      expect(bad.error).toMatchObject({ code: -32603 });
      expect(next.result).toEqual({ content: [{ type: "text", text: "next" }] });
    } finally {
      await server.end();
    }
  });

  it("lets a masked section outlive its budget and grace, then reports the budget", async () => {
    const session = await connect(["--grace", "100"]);
    try {
      const result = await call(session.client, "criticalLong", { ms: 500 });
      const events = (await journal(session.client, "criticalLong:masked-done")).map((e) => e.event);
      expect(events).toContain("criticalLong:masked-done");
      expect(result).toEqual({
        content: [
          {
            type: "text",
            text: 'Tool "criticalLong" stopped: the @timeout budget of tool "criticalLong" (100 ms) ran out',
          },
        ],
        isError: true,
      });
      expect(session.stderr()).not.toMatch(/abandoned/);
    } finally {
      await session.close();
    }
  });
});

describe("shutdown and stderr", () => {
  it("keeps serving without spinning when stderr is closed", async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      server.child.stderr.destroy();
      await server.call("crash", {});
      await server.call("stray", { kind: "exception" });
      await sleep(100);
      const before = cpuTicks(server.child.pid as number);
      await sleep(300);
      expect(cpuTicks(server.child.pid as number) - before).toBeLessThan(10); // a report loop burns ~30 ticks
      expect((await server.call("add", { a: 1, b: 2 })).result).toEqual({
        content: [{ type: "text", text: "3" }],
      });
    } finally {
      await server.end();
    }
  });

  it("delivers a large response to a client that starts reading after it closed stdin", async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      server.child.stdout.pause();
      server.call("payload", { size: 5_000_000 }, "big").catch(() => {});
      await sleep(50);
      server.child.stdin.end();
      await sleep(1500); // longer than the cancel grace the old flush used as its limit
      server.child.stdout.resume();
      const response = await server.waitFor((m) => m.id === "big", 20_000);
      expect((response.result as { content: { text: string }[] }).content[0]?.text.length).toBe(5_000_000);
      expect((await server.exited).code).toBe(0);
    } finally {
      server.kill();
    }
  });
});
