// Lifecycle (MCP basic/lifecycle): handshake, version negotiation, capabilities, ping, logging.
import { afterAll, describe, expect, it } from "vitest";
import { connect, killStrays, RawServer } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

describe("initialize through the SDK client", () => {
  it("negotiates the latest version and advertises what the table holds", async () => {
    const session = await connect();
    try {
      const { client } = session;
      expect(client.getServerVersion()).toEqual({
        name: "fastmcp-reference",
        version: "1.0.0",
        title: "Reference server",
      });
      expect(client.getServerCapabilities()).toEqual({
        tools: {},
        resources: {},
        prompts: {},
        logging: {},
        completions: {},
      });
      expect(client.getInstructions()).toBe("Tools for testing the fastmcp-ts runtime.");
      const init = session.wire.find((e) => e.dir === "in" && e.msg.id === 0);
      expect(init?.msg.result).toMatchObject({ protocolVersion: "2025-11-25" });
      await expect(client.ping()).resolves.toEqual({});
    } finally {
      await session.close();
    }
  });
});

describe("the context of a request", () => {
  it("reports the request id and the client as negotiated", async () => {
    const session = await connect();
    try {
      const result = await session.client.callTool({ name: "whoami", arguments: {} });
      const sent = session.wire.filter((e) => e.dir === "out" && e.msg.method === "tools/call").at(-1);
      expect(result.structuredContent).toEqual({
        requestId: sent?.msg.id,
        client: {
          name: "fastmcp-e2e",
          version: "1.0.0",
          protocolVersion: "2025-11-25",
          capabilities: expect.any(Object),
        },
      });
    } finally {
      await session.close();
    }
  });
});

describe("version negotiation on the wire", () => {
  it.each(["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])("echoes %s", async (version) => {
    const server = new RawServer();
    const response = await server.initialize(version);
    expect((response.result as { protocolVersion: string }).protocolVersion).toBe(version);
    expect((await server.end()).code).toBe(0);
  });

  it("answers an unknown version with the latest one instead of an error", async () => {
    const server = new RawServer();
    const response = await server.initialize("1999-01-01");
    expect((response.result as { protocolVersion: string }).protocolVersion).toBe("2025-11-25");
    await server.end();
  });

  it("serves clients before 2025-06-18 without titles, output schemas or structured content", async () => {
    const server = new RawServer();
    const init = await server.initialize("2025-03-26");
    expect((init.result as { serverInfo: object }).serverInfo).toEqual({
      name: "fastmcp-reference",
      version: "1.0.0",
    });
    const list = await server.request("tools/list", {});
    const divide = (list.result as { tools: Record<string, unknown>[] }).tools.find(
      (t) => t.name === "divide",
    );
    expect(divide).not.toHaveProperty("outputSchema");
    const add = (list.result as { tools: Record<string, unknown>[] }).tools.find((t) => t.name === "add");
    expect(add).not.toHaveProperty("title");
    const call = await server.call("divide", { a: 7, b: 2 });
    expect(call.result).toEqual({ content: [{ type: "text", text: '{"quotient":3,"remainder":1}' }] });
    await server.end();
  });
});

describe("before and around initialize", () => {
  it("answers ping before initialize and refuses other requests until then", async () => {
    const server = new RawServer();
    expect((await server.request("ping")).result).toEqual({});
    const early = await server.request("tools/list", {});
    expect(early.error).toMatchObject({ code: -32600 });
    expect((early.error as { message: string }).message).toMatch(/before initialize/);
    await server.initialize();
    expect((await server.request("tools/list", {})).result).toHaveProperty("tools");
    await server.end();
  });

  it("refuses a second initialize and keeps the first session", async () => {
    const server = new RawServer();
    await server.initialize("2025-06-18");
    const again = await server.request("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "x", version: "1" },
    });
    expect(again.error).toMatchObject({ code: -32600 });
    const call = await server.call("divide", { a: 7, b: 2 });
    expect(call.result).toHaveProperty("structuredContent");
    await server.end();
  });
});

describe("logging/setLevel", () => {
  it("filters log notifications below the level the client set", async () => {
    const session = await connect();
    try {
      const { client } = session;
      const received: { level: string; data: unknown }[] = [];
      client.setNotificationHandler(
        (await import("@modelcontextprotocol/sdk/types.js")).LoggingMessageNotificationSchema,
        (n) => {
          received.push({ level: n.params.level, data: n.params.data });
        },
      );
      await client.callTool({ name: "shout", arguments: { level: "info", message: "first" } });
      await client.setLoggingLevel("warning");
      await client.callTool({ name: "shout", arguments: { level: "info", message: "hidden" } });
      await client.callTool({ name: "shout", arguments: { level: "error", message: "shown" } });
      expect(received).toEqual([
        { level: "info", data: { message: "first", data: { from: "shout" } } },
        { level: "error", data: { message: "shown", data: { from: "shout" } } },
      ]);
      await expect(client.setLoggingLevel("loud" as never)).rejects.toMatchObject({ code: -32602 });
    } finally {
      await session.close();
    }
  });
});
