// Budgets (DESIGN §3): @timeout and server request timeouts end a request with an error naming the budget.
import { afterAll, describe, expect, it } from "vitest";
import {
  call,
  callId,
  connect,
  journal,
  killStrays,
  responsesFor,
  type ToolResult,
  waitUntil,
} from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

function budgetError(text: string): ToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

describe("@timeout budgets", () => {
  it("ends a handler that overruns its @timeout with an isError result naming that budget", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      expect(await call(client, "budgeted", { ms: 5000 })).toEqual(
        budgetError('Tool "budgeted" stopped: the @timeout budget of tool "budgeted" (200 ms) ran out'),
      );
      expect(responsesFor(wire, callId(wire, "budgeted"))).toHaveLength(1);
      expect(await call(client, "budgeted", { ms: 50 })).toEqual({
        content: [{ type: "text", text: "slept 50ms" }],
      });
      expect(session.stderr()).toBe("");
    } finally {
      await session.close();
    }
  });

  it("names the server's request timeout when no @timeout applies", async () => {
    const session = await connect(["--timeout", "300"]);
    try {
      const { client } = session;
      expect(await call(client, "sleep", { ms: 5000 })).toEqual(
        budgetError('Tool "sleep" stopped: the server\'s request timeout (300 ms) ran out'),
      );
      // A tool with its own @timeout is held to that, not to the server default.
      expect((await call(client, "budgeted", { ms: 250 })).content?.[0]?.text).toBe(
        'Tool "budgeted" stopped: the @timeout budget of tool "budgeted" (200 ms) ran out',
      );
      expect(await call(client, "sleep", { ms: 20 })).toEqual({
        content: [{ type: "text", text: "slept 20ms" }],
      });
    } finally {
      await session.close();
    }
  });

  it("throws from the first checkpoint after the budget ran out in a handler that ignores its signal", async () => {
    const session = await connect();
    try {
      const { client } = session;
      expect(await call(client, "stubborn", { ms: 400 })).toEqual(
        budgetError('Tool "stubborn" stopped: the @timeout budget of tool "stubborn" (150 ms) ran out'),
      );
      const entries = (await journal(client, "stubborn:checkpoint-threw")).filter((e) =>
        e.event.startsWith("stubborn:"),
      );
      expect(entries).toEqual([
        { event: "stubborn:checkpoint-threw", detail: { reason: "budget", exhausted: true } },
      ]);
      expect(session.stderr()).toBe("");
    } finally {
      await session.close();
    }
  });

  it("answers a handler that never settles once the grace period ran out, and abandons it", async () => {
    // With one slot, the echo below proves the abandoned handler gave its slot back.
    const session = await connect(["--grace", "200", "--max-concurrency", "1"]);
    try {
      const { client, wire } = session;
      // A client-side timeout turns a missing answer into a prompt failure instead of a hung test.
      const result = await client.callTool({ name: "hang", arguments: {} }, undefined, { timeout: 10_000 });
      expect(result).toEqual(
        budgetError('Tool "hang" stopped: the @timeout budget of tool "hang" (100 ms) ran out'),
      );
      const id = callId(wire, "hang");
      // The report names the request, the grace period and that it was abandoned.
      const head = `tool "hang" (request ${JSON.stringify(id)}) `;
      const report = await waitUntil(
        () =>
          session
            .stderr()
            .split("\n")
            .find((line) => line.includes(head) && /abandoned/.test(line)),
        `the abandon report on stderr (got ${JSON.stringify(session.stderr())})`,
      );
      expect(report).toContain("200 ms");
      // The server keeps serving, and the abandoned handler no longer holds a slot.
      expect(await call(client, "echo", { message: "alive" })).toEqual({
        content: [{ type: "text", text: "alive" }],
      });
      const stats = (await client.callTool({ name: "stats", arguments: {} })).structuredContent as {
        abandoned: number;
        inFlight: number;
      };
      expect(stats.abandoned).toBe(1);
      expect(stats.inFlight).toBe(1); // the stats call itself
      expect(responsesFor(wire, id)).toHaveLength(1);
    } finally {
      await session.close();
    }
  });
});
