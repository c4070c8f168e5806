// Progress and error outcomes (DESIGN §3): progress only with a token, ToolError as isError, panics as -32603 with a ref.
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, describe, expect, it } from "vitest";
import { call, callId, connect, killStrays, responsesFor, waitUntil } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

function progressOf(params: unknown): Progress {
  const { progressToken: _token, ...progress } = params as Progress & { progressToken: unknown };
  return progress;
}

describe("progress notifications", () => {
  it("reports increasing progress under the token the client sent", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const updates: Progress[] = [];
      const result = await client.callTool({ name: "sleep", arguments: { ms: 300 } }, undefined, {
        onprogress: (p) => {
          updates.push(p);
        },
      });
      expect(result).toEqual({ content: [{ type: "text", text: "slept 300ms" }] });

      const id = callId(wire, "sleep");
      const sent = wire.find((e) => e.dir === "out" && e.msg.id === id);
      const token = ((sent?.msg.params ?? {}) as { _meta?: { progressToken?: string | number } })._meta
        ?.progressToken;
      expect(token).toBeDefined();
      const answered = wire.findIndex((e) => e.dir === "in" && e.msg.id === id && !("method" in e.msg));
      const onWire = wire
        .map((e, index) => ({ e, index }))
        .filter(({ e }) => e.dir === "in" && e.msg.method === "notifications/progress");
      expect(onWire.length).toBeGreaterThanOrEqual(1);
      for (const { e, index } of onWire) {
        expect((e.msg.params as { progressToken: unknown }).progressToken).toBe(token);
        expect(index).toBeLessThan(answered);
      }

      let last = Number.NEGATIVE_INFINITY;
      for (const { e } of onWire) {
        const { progress, total } = e.msg.params as { progress: number; total?: number };
        expect(progress).toBeGreaterThan(last);
        last = progress;
        expect(total).toBeDefined();
        expect(progress).toBeLessThanOrEqual(total as number);
      }
      // What onprogress saw is what the wire carried. The SDK runs notification handlers a microtask
      // late but settles the response at once, so a last notification that shares the response's
      // chunk may never reach onprogress (it then reports an unknown token): compare a prefix.
      expect(updates.length).toBeGreaterThanOrEqual(1);
      expect(updates).toEqual(onWire.slice(0, updates.length).map(({ e }) => progressOf(e.msg.params)));
    } finally {
      await session.close();
    }
  });

  it("sends no progress when the client asked for none", async () => {
    const session = await connect();
    try {
      const { client, wire } = session;
      expect(await call(client, "sleep", { ms: 300 })).toEqual({
        content: [{ type: "text", text: "slept 300ms" }],
      });
      const sent = wire.find((e) => e.dir === "out" && e.msg.id === callId(wire, "sleep"));
      expect(sent?.msg.params).not.toHaveProperty("_meta.progressToken");
      await client.ping();
      expect(wire.filter((e) => e.msg.method === "notifications/progress")).toEqual([]);
    } finally {
      await session.close();
    }
  });
});

describe("outcomes", () => {
  it("answers a ToolError with an isError result", async () => {
    const session = await connect();
    try {
      expect(await call(session.client, "fail")).toEqual({
        content: [{ type: "text", text: "intentional failure from fail tool" }],
        isError: true,
      });
      expect(session.stderr()).toBe("");
    } finally {
      await session.close();
    }
  });

  it.each([
    ["crash", ["TypeError: a bug in the crash tool", /\n\s+at \S*crash \(\S*handlers\.js:\d+/]],
    ["throwString", ['non-Error value thrown: "not an Error object"']],
    // What the stderr report says about an unserialisable value is the runtime's wording; it must name the cause.
    ["bigint", ["TypeError", /bigint/i]],
    ["circular", ["TypeError", /circular/i]],
  ])("answers %s with -32603 and a ref that leads to stderr", async (tool, expected) => {
    const session = await connect();
    try {
      const { client, wire } = session;
      const error = await client.callTool({ name: tool, arguments: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: -32603 });
      const id = callId(wire, tool);
      const responses = responsesFor(wire, id);
      expect(responses).toHaveLength(1);
      expect(responses[0]).not.toHaveProperty("result");
      const wireError = responses[0]?.error as { code: number; message: string };
      expect(wireError.code).toBe(-32603);
      const ref = /\(ref ([0-9a-f]{8})\)/.exec(wireError.message)?.[1];
      expect(ref, wireError.message).toBeDefined();
      expect(wireError.message).toBe(`Internal error in tool "${tool}" (ref ${ref}); see the server log`);

      const header = `panic ${ref} in tool "${tool}" (request ${JSON.stringify(id)}): `;
      await waitUntil(
        () => (session.stderr().includes(header) ? true : undefined),
        `${header} on stderr (got ${JSON.stringify(session.stderr())})`,
      );
      const report = session.stderr().slice(session.stderr().indexOf(header));
      for (const part of expected) {
        if (typeof part === "string") expect(report).toContain(part);
        else expect(report).toMatch(part);
      }
      // The details stay on stderr: the client sees only the ref.
      expect(wireError.message).not.toContain(expected[0] as string);

      expect(await call(client, "echo", { message: "still serving" })).toEqual({
        content: [{ type: "text", text: "still serving" }],
      });
      expect(await call(client, "add", { a: 40, b: 2 })).toEqual({ content: [{ type: "text", text: "42" }] });
    } finally {
      await session.close();
    }
  });
});
