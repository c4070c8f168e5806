// Cancellation (DESIGN §3): client aborts through the SDK, masked sections, and cancels of ids not in flight.
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, describe, expect, it } from "vitest";
import {
  callId,
  connect,
  journal,
  killStrays,
  type Message,
  RawServer,
  responsesFor,
  sleep,
  type WireEntry,
  waitUntil,
} from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

function textOf(result: unknown): string {
  const content = (result as { content?: { text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? "").join("");
}

function tryCallId(wire: readonly WireEntry[], name: string): string | number | undefined {
  try {
    return callId(wire, name);
  } catch {
    return undefined;
  }
}

function cancelsSent(wire: readonly WireEntry[]): Message[] {
  return wire.filter((e) => e.dir === "out" && e.msg.method === "notifications/cancelled").map((e) => e.msg);
}

/** Index of the last incoming response to a ping. */
function lastPingResponse(wire: readonly WireEntry[]): number {
  const pingIds = new Set(
    wire.filter((e) => e.dir === "out" && e.msg.method === "ping").map((e) => e.msg.id),
  );
  return wire.findLastIndex((e) => e.dir === "in" && !("method" in e.msg) && pingIds.has(e.msg.id));
}

describe("client cancellation through the SDK", () => {
  it("fires the handler's signal with reason client and never answers the request", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const controller = new AbortController();
      const call = client
        .callTool({ name: "watch", arguments: { ms: 30_000 } }, undefined, { signal: controller.signal })
        .then(
          () => "resolved",
          (error: unknown) => error,
        );
      const id = await waitUntil(() => tryCallId(wire, "watch"), "the watch request on the wire");
      await sleep(100);
      controller.abort("the user gave up");
      expect(await call).toBeInstanceOf(Error);

      expect(cancelsSent(wire)).toEqual([
        {
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: id, reason: "the user gave up" },
        },
      ]);
      const entries = await journal(client, "watch:aborted");
      expect(entries.filter((e) => e.event === "watch:aborted")).toEqual([
        { event: "watch:aborted", detail: { reason: "client", cancelled: true } },
      ]);
      await expect(client.ping()).resolves.toEqual({});
      expect(responsesFor(wire, id)).toEqual([]);

      // The server keeps serving.
      expect(textOf(await client.callTool({ name: "echo", arguments: { message: "still here" } }))).toBe(
        "still here",
      );
      await client.ping();
      expect(responsesFor(wire, id)).toEqual([]);
      expect(session.stderr()).not.toMatch(/panic/);
    } finally {
      await session.close();
    }
  });

  it("sends no progress for a request once its cancellation was processed", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const controller = new AbortController();
      const updates: Progress[] = [];
      const call = client
        .callTool({ name: "sleep", arguments: { ms: 2000 } }, undefined, {
          signal: controller.signal,
          onprogress: (p) => {
            updates.push(p);
          },
        })
        .then(
          () => "resolved",
          (error: unknown) => error,
        );
      const id = await waitUntil(() => tryCallId(wire, "sleep"), "the sleep request on the wire");
      const sent = wire.find((e) => e.dir === "out" && e.msg.id === id);
      const token = ((sent?.msg.params ?? {}) as { _meta?: { progressToken?: unknown } })._meta
        ?.progressToken;
      expect(token).toBeDefined();
      const progressFor = (): number[] =>
        wire
          .map((e, i) => ({ e, i }))
          .filter(
            ({ e }) =>
              e.dir === "in" &&
              e.msg.method === "notifications/progress" &&
              (e.msg.params as { progressToken?: unknown }).progressToken === token,
          )
          .map(({ i }) => i);
      // Progress flows before the cancel.
      await waitUntil(() => (updates.length > 0 ? true : undefined), "a first progress notification");
      controller.abort();
      expect(await call).toBeInstanceOf(Error);
      expect(cancelsSent(wire).map((m) => (m.params as { requestId: unknown }).requestId)).toEqual([id]);

      // The server reads the cancel before the ping; anything it emitted earlier precedes the pong.
      await client.ping();
      const processed = lastPingResponse(wire);
      expect(processed).toBeGreaterThan(0);
      // Long enough for several more 200 ms steps of the sleep had it not stopped.
      await sleep(700);
      await client.ping();
      expect(progressFor().filter((i) => i > processed)).toEqual([]);
      expect(responsesFor(wire, id)).toEqual([]);
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 3 } }))).toBe("5");
    } finally {
      await session.close();
    }
  });
  it("sends no log notifications for a request once its cancellation was processed", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const controller = new AbortController();
      // Each child logs "child N settled" as it settles, which here only a cancellation makes it do.
      const call = client
        .callTool({ name: "fanout", arguments: { count: 3, ms: 30_000 } }, undefined, {
          signal: controller.signal,
        })
        .then(
          () => "resolved",
          (error: unknown) => error,
        );
      const id = await waitUntil(() => tryCallId(wire, "fanout"), "the fanout request on the wire");
      await sleep(100);
      controller.abort();
      expect(await call).toBeInstanceOf(Error);
      await client.ping();
      await sleep(200);
      await client.ping();
      const logs = wire.filter(
        (e) =>
          e.dir === "in" &&
          e.msg.method === "notifications/message" &&
          (e.msg.params as { logger?: string }).logger === 'tool "fanout"',
      );
      expect(logs).toEqual([]);
      expect(responsesFor(wire, id)).toEqual([]);
      // Logging itself still works for other requests.
      await client.callTool({ name: "shout", arguments: { level: "info", message: "hello" } });
      expect(wire.some((e) => e.dir === "in" && e.msg.method === "notifications/message")).toBe(true);
    } finally {
      await session.close();
    }
  });
});

describe("masked critical sections", () => {
  it("finishes the section, then delivers the cancellation: signal fires, next checkpoint throws", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const controller = new AbortController();
      const call = client
        .callTool({ name: "critical", arguments: { ms: 400 } }, undefined, { signal: controller.signal })
        .then(
          () => "resolved",
          (error: unknown) => error,
        );
      const id = await waitUntil(() => tryCallId(wire, "critical"), "the critical request on the wire");
      await sleep(100);
      controller.abort("stop now");
      expect(await call).toBeInstanceOf(Error);

      const entries = (await journal(client, "critical:checkpoint-threw")).filter((e) =>
        e.event.startsWith("critical:"),
      );
      expect(entries).toEqual([
        { event: "critical:start" },
        {
          event: "critical:masked-done",
          detail: { signalAbortedInside: false, cancelledInside: false },
        },
        { event: "critical:after-mask", detail: { signalAborted: true } },
        { event: "critical:checkpoint-threw", detail: { reason: "client" } },
      ]);
      await client.ping();
      expect(responsesFor(wire, id)).toEqual([]);
      expect(session.stderr()).not.toMatch(/panic/);
    } finally {
      await session.close();
    }
  });
});

describe("cancels of ids that are not in flight", () => {
  it("ignores a cancel for an unknown id and for a finished request", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      expect(textOf(await client.callTool({ name: "echo", arguments: { message: "done" } }))).toBe("done");
      const finished = callId(wire, "echo");
      await client.notification({
        method: "notifications/cancelled",
        params: { requestId: finished, reason: "too late" },
      });
      await client.notification({
        method: "notifications/cancelled",
        params: { requestId: 987_654, reason: "never sent" },
      });
      await client.notification({
        method: "notifications/cancelled",
        params: { requestId: "no-such-request" },
      });
      await expect(client.ping()).resolves.toEqual({});
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }))).toBe("3");

      expect(responsesFor(wire, finished)).toHaveLength(1);
      expect(responsesFor(wire, 987_654)).toEqual([]);
      expect(responsesFor(wire, "no-such-request")).toEqual([]);
      expect(responsesFor(wire, null)).toEqual([]);
      expect(wire.filter((e) => e.dir === "in" && "error" in e.msg)).toEqual([]);
      expect(session.stderr()).toBe("");
    } finally {
      await session.close();
    }
  });

  it("writes nothing at all for such cancels (raw pipes: every stdout line)", async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      expect((await server.call("echo", { message: "done" }, "e1")).result).toEqual({
        content: [{ type: "text", text: "done" }],
      });
      const before = server.lines.length;
      for (const requestId of ["e1", "never-sent", 42]) {
        server.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId } });
      }
      server.send({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: "e1", reason: "x" },
      });
      const pong = await server.request("ping", undefined, "p1");
      expect(pong).toEqual({ jsonrpc: "2.0", id: "p1", result: {} });
      expect(server.lines.slice(before)).toEqual([JSON.stringify(pong)]);
      expect((await server.call("add", { a: 1, b: 1 }, "a1")).result).toEqual({
        content: [{ type: "text", text: "2" }],
      });
      expect(server.stderr).toBe("");
      expect((await server.end()).code).toBe(0);
    } finally {
      server.kill();
    }
  });

  it("drops a queued request the client cancelled before it started and serves the queue on", async () => {
    const session = await connect(["--max-concurrency", "1"]);
    try {
      const { client, wire } = session;
      // The only slot stays busy long enough for the cancel of the queued call to arrive first.
      const first = client.callTool({ name: "sleep", arguments: { ms: 1000 } });
      const controller = new AbortController();
      const queued = client
        .callTool({ name: "echo", arguments: { message: "queued" } }, undefined, {
          signal: controller.signal,
        })
        .then(
          () => "resolved",
          (error: unknown) => error,
        );
      const id = await waitUntil(() => tryCallId(wire, "echo"), "the queued echo on the wire");
      controller.abort();
      expect(await queued).toBeInstanceOf(Error);
      expect(textOf(await first)).toBe("slept 1000ms");
      expect(textOf(await client.callTool({ name: "echo", arguments: { message: "next" } }))).toBe("next");
      await client.ping();
      expect(responsesFor(wire, id)).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
