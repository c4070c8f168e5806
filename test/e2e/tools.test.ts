// tools/list and tools/call through the SDK client: schemas, pagination, result mapping,
// validation as isError (SEP-1303), ToolError as isError, panics as -32603.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, killStrays, RawServer, type Session } from "./harness.js";

let session: Session;
beforeAll(async () => {
  session = await connect();
});
afterAll(async () => {
  await session.close();
  expect(killStrays()).toBe(0);
});

const call = (name: string, args: Record<string, unknown> = {}) =>
  session.client.callTool({ name, arguments: args });

describe("tools/list", () => {
  it("lists every tool with its schema, title and annotations", async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).toContain("sleep");
    const add = tools.find((t) => t.name === "add");
    expect(add).toEqual({
      name: "add",
      title: "Add",
      description: "Add two numbers",
      inputSchema: {
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, idempotentHint: true },
    });
    expect(tools.find((t) => t.name === "divide")?.outputSchema).toMatchObject({ type: "object" });
  });

  it("pages with cursors the client follows to the end", async () => {
    const paged = await connect(["--page-size", "4"]);
    try {
      const all = (await session.client.listTools()).tools.map((t) => t.name);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await paged.client.listTools(cursor === undefined ? {} : { cursor });
        expect(page.tools.length).toBeLessThanOrEqual(4);
        seen.push(...page.tools.map((t) => t.name));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 4));
      await expect(paged.client.listTools({ cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({
        code: -32602,
      });
    } finally {
      await paged.close();
    }
  });
});

describe("results", () => {
  it.each([
    ["a number as text", "add", { a: 2, b: 3 }, { content: [{ type: "text", text: "5" }] }],
    [
      "a string as text",
      "echo",
      { message: 'héllo "wörld" 🌍\n' },
      { content: [{ type: "text", text: 'héllo "wörld" 🌍\n' }] },
    ],
    ["void as empty content", "nothing", {}, { content: [] }],
    [
      "an object as structured content with a JSON text fallback",
      "divide",
      { a: 17, b: 5 },
      {
        content: [{ type: "text", text: '{"quotient":3,"remainder":2}' }],
        structuredContent: { quotient: 3, remainder: 2 },
      },
    ],
    [
      "an array wrapped as { result }",
      "primes",
      { limit: 10 },
      {
        content: [{ type: "text", text: '{"result":[2,3,5,7]}' }],
        structuredContent: { result: [2, 3, 5, 7] },
      },
    ],
  ])("returns %s", async (_what, name, args, expected) => {
    expect(await call(name, args)).toEqual(expected);
  });

  it("passes content helpers through", async () => {
    const result = await call("picture");
    expect(result.content).toEqual([
      { type: "text", text: "a single red pixel" },
      { type: "image", mimeType: "image/png", data: expect.stringMatching(/^iVBORw0KGgo/) },
    ]);
  });
});

describe("errors", () => {
  it("turns a ToolError into an isError result", async () => {
    expect(await call("fail")).toEqual({
      content: [{ type: "text", text: "intentional failure from fail tool" }],
      isError: true,
    });
    expect(await call("divide", { a: 1, b: 0 })).toMatchObject({
      isError: true,
      content: [{ text: "cannot divide by zero" }],
    });
  });

  it("lists every argument problem in one isError result", async () => {
    const result = await call("add", { a: "two", extra: true });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]?.text).toBe(
      'Invalid arguments for tool "add":\n- missing required argument "b"\n- a: must be number\n- unexpected argument "extra"',
    );
  });

  it("answers an unknown tool and non-object arguments with -32602", async () => {
    await expect(call("no-such-tool")).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("Unknown tool: no-such-tool"),
    });
    const raw = new RawServer();
    try {
      await raw.initialize();
      const response = await raw.request("tools/call", { name: "add", arguments: "2,3" });
      expect(response.error).toMatchObject({ code: -32602 });
      const inherited = await raw.request("tools/call", { name: "constructor", arguments: {} });
      expect(inherited.error).toMatchObject({ code: -32602, message: "Unknown tool: constructor" });
    } finally {
      await raw.end();
    }
  });

  it("reports a panic with a correlation id that leads to the stack in stderr", async () => {
    const error = (await call("crash").catch((e: unknown) => e)) as { code: number; message: string };
    expect(error).toMatchObject({ code: -32603 });
    const ref = /ref ([0-9a-f]{8})/.exec(error.message)?.[1];
    expect(ref).toBeDefined();
    await expect.poll(() => session.stderr()).toContain(`panic ${ref} in tool "crash"`);
    expect(session.stderr()).toContain("TypeError: a bug in the crash tool");
    expect(await call("add", { a: 1, b: 1 })).toEqual({ content: [{ type: "text", text: "2" }] });
  });
});

describe("faults outside a request", () => {
  it.each([
    ["rejection", "unhandled rejection", "stray rejection from a handler"],
    ["exception", "uncaught exception", "stray exception from a handler"],
  ])("reports a stray %s on stderr with a ref and keeps serving", async (kind, label, message) => {
    expect(await call("stray", { kind })).toEqual({
      content: [{ type: "text", text: `left a stray ${kind}` }],
    });
    await expect
      .poll(() => session.stderr())
      .toMatch(new RegExp(`${label} \\(ref [0-9a-f]{8}\\), server keeps serving: Error: ${message}`));
    expect(await call("add", { a: 2, b: 2 })).toEqual({ content: [{ type: "text", text: "4" }] });
  });
});
