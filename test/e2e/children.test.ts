// Child tasks (DESIGN §3 ctx.spawn): a request answers only after its children settled; failures and budgets.
import { afterAll, describe, expect, it } from "vitest";
import {
  call,
  callId,
  connect,
  journal,
  killStrays,
  type Message,
  responsesFor,
  type WireEntry,
  waitUntil,
} from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

/** Wire index of the (single) response to `id`. */
function responseIndex(wire: readonly WireEntry[], id: string | number): number {
  return wire.findIndex((e) => e.dir === "in" && e.msg.id === id && !("method" in e.msg));
}

/** Log notifications of `tool` on the wire, with their indexes. */
function logsOf(wire: readonly WireEntry[], tool: string): { index: number; data: unknown; msg: Message }[] {
  return wire
    .map((e, index) => ({ e, index }))
    .filter(
      ({ e }) =>
        e.dir === "in" &&
        e.msg.method === "notifications/message" &&
        (e.msg.params as { logger?: string }).logger === `tool ${JSON.stringify(tool)}`,
    )
    .map(({ e, index }) => ({ index, data: (e.msg.params as { data: unknown }).data, msg: e.msg }));
}

describe("children that finish", () => {
  it("answers fanout with the sum after every child settled", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      expect(await call(client, "fanout", { count: 5, ms: 50 })).toEqual({
        content: [{ type: "text", text: "15" }],
      });
      const id = callId(wire, "fanout");
      const answered = responseIndex(wire, id);
      expect(answered).toBeGreaterThan(0);
      const logs = logsOf(wire, "fanout");
      expect(logs.map((l) => l.data).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `child ${i} settled`));
      for (const log of logs) {
        expect(log.msg.params).toMatchObject({ level: "info" });
        expect(log.index).toBeLessThan(answered);
      }
    } finally {
      await session.close();
    }
  });
});

describe("children left running", () => {
  it("cancels and drains orphans before answering", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      expect(await call(client, "orphans", { count: 3 })).toEqual({
        content: [{ type: "text", text: "left 3 children running" }],
      });
      const answered = responseIndex(wire, callId(wire, "orphans"));
      const logs = logsOf(wire, "orphans");
      expect(logs.map((l) => l.data).sort()).toEqual([0, 1, 2].map((i) => `orphan ${i} settled`));
      for (const log of logs) expect(log.index).toBeLessThan(answered);

      const events = (await journal(client, "orphan:2:settled")).map((e) => e.event);
      for (const i of [0, 1, 2]) expect(events).toContain(`orphan:${i}:settled`);
      expect(session.stderr()).toBe("");
    } finally {
      await session.close();
    }
  });
});

describe("children that fail", () => {
  it("turns a child's throw into a -32603 panic and cancels the handler", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const error = await client.callTool({ name: "childFails", arguments: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: -32603 });
      const id = callId(wire, "childFails");
      const responses = responsesFor(wire, id);
      expect(responses).toHaveLength(1);
      const wireError = responses[0]?.error as { code: number; message: string };
      expect(wireError.code).toBe(-32603);
      const ref = /\(ref ([0-9a-f]{8})\)/.exec(wireError.message)?.[1];
      expect(ref, wireError.message).toBeDefined();
      expect(wireError.message).toBe(`Internal error in tool "childFails" (ref ${ref}); see the server log`);

      const events = (await journal(client, "childFails:handler-cancelled")).map((e) => e.event);
      expect(events).toContain("childFails:handler-cancelled");
      await waitUntil(
        () => (session.stderr().includes(`panic ${ref}`) ? true : undefined),
        `panic ${ref} on stderr (got ${JSON.stringify(session.stderr())})`,
      );
      const report = session.stderr().slice(session.stderr().indexOf(`panic ${ref}`));
      expect(report).toContain("child exploded");
      expect(report).toContain(`in tool "childFails" (request ${JSON.stringify(id)})`);

      expect(await call(client, "echo", { message: "still serving" })).toEqual({
        content: [{ type: "text", text: "still serving" }],
      });
    } finally {
      await session.close();
    }
  });

  it("names the child's own budget when it runs out", async () => {
    const session = await connect();
    try {
      const { client } = session;
      expect(await call(client, "childBudget", { ms: 1000 })).toEqual({
        content: [
          {
            type: "text",
            text: 'Tool "childBudget" stopped: the budget of child task "slow child" (50 ms) ran out',
          },
        ],
        isError: true,
      });
      expect(await call(client, "childBudget", { ms: 10 })).toEqual({
        content: [{ type: "text", text: "child finished" }],
      });
      expect(session.stderr()).toBe("");
    } finally {
      await session.close();
    }
  });
});
