// The bundle over Streamable HTTP, driven by the official SDK client (StreamableHTTPClientTransport):
// the same methods, outcomes, progress, logging, cancellation and budgets as over stdio.
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuiltProject,
  buildFixture,
  connectHttp,
  eventually,
  type HttpServerProcess,
  type HttpSession,
  killHttpStrays,
  startHttp,
  textOf,
} from "./http-harness.js";

let project: BuiltProject;
let server: HttpServerProcess;
let url: string;
let session: HttpSession;

beforeAll(async () => {
  project = await buildFixture("http-basic");
  ({ process: server, url } = await startHttp(project.server));
  session = await connectHttp(url);
}, 60_000);

afterAll(async () => {
  await session?.close();
  await server?.stop();
  project?.remove();
  expect(killHttpStrays()).toBe(0);
});

async function seen(tag: string): Promise<{ started: boolean; cancelled: string | null }> {
  const result = await session.client.callTool({ name: "seen", arguments: { tag } });
  return result.structuredContent as { started: boolean; cancelled: string | null };
}

describe("Streamable HTTP with the SDK client", () => {
  it("initializes, gets a session id and negotiates the latest protocol", () => {
    expect(session.transport.sessionId).toMatch(/^[\x21-\x7e]+$/);
    expect(session.client.getServerVersion()).toEqual({ name: "http-basic", version: "1.0.0" });
    expect(session.client.getServerCapabilities()).toMatchObject({
      tools: {},
      resources: {},
      prompts: {},
      logging: {},
    });
  });

  it("lists tools, resources, templates and prompts", async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ["add", "crash", "echo", "fail", "seen", "spin", "steps", "wait", "whoami"].sort(),
    );
    expect((await session.client.listResources()).resources.map((r) => r.uri)).toEqual(["config://app"]);
    expect(
      (await session.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
    ).toEqual(["users://{id}/profile"]);
    expect((await session.client.listPrompts()).prompts.map((p) => p.name)).toEqual(["greet"]);
    await expect(session.client.ping()).resolves.toEqual({});
  });

  it("calls tools: results, structured content and the protocol version from the header", async () => {
    expect(textOf(await session.client.callTool({ name: "add", arguments: { a: 2, b: 3 } }))).toBe("5");
    const echo = await session.client.callTool({ name: "echo", arguments: { text: "héllo 🌍" } });
    expect(echo.structuredContent).toMatchObject({ text: "héllo 🌍" });
    const who = await session.client.callTool({ name: "whoami", arguments: {} });
    // Stateless: the request carries the version (MCP-Protocol-Version); the client's name stays unknown.
    expect(who.structuredContent).toMatchObject({ protocolVersion: "2025-11-25", client: "unknown" });
  });

  it("answers invalid arguments, tool errors and panics as over stdio, without stacks", async () => {
    const invalid = await session.client.callTool({ name: "echo", arguments: { text: "" } });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(/^Invalid arguments for tool "echo":/);
    const failed = await session.client.callTool({ name: "fail", arguments: { reason: "nope" } });
    expect(failed).toMatchObject({ isError: true, content: [{ type: "text", text: "failed: nope" }] });
    const panic = session.client.callTool({ name: "crash", arguments: {} });
    await expect(panic).rejects.toThrow(/Internal error in tool "crash" \(ref [0-9a-f]{8}\)/);
    await expect(panic).rejects.not.toThrow(/secret internal detail/);
    await expect(session.client.callTool({ name: "nope", arguments: {} })).rejects.toThrow(
      /Unknown tool: nope/,
    );
    await eventually(async () => (server.stderr.includes("secret internal detail") ? true : undefined));
  });

  it("streams progress over SSE when the client asks for it", async () => {
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const result = await session.client.callTool({ name: "steps", arguments: { count: 3 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(textOf(result)).toBe("3 steps done");
    expect(progress).toEqual([
      { progress: 1, total: 3, message: "step 1 of 3" },
      { progress: 2, total: 3, message: "step 2 of 3" },
      { progress: 3, total: 3, message: "step 3 of 3" },
    ]);
  });

  it("streams log notifications, honouring logging/setLevel for the session in this process", async () => {
    const logs: { level: string; data: unknown }[] = [];
    session.client.setNotificationHandler(
      (await import("@modelcontextprotocol/sdk/types.js")).LoggingMessageNotificationSchema,
      (n) => {
        logs.push({ level: n.params.level, data: n.params.data });
      },
    );
    await session.client.callTool({ name: "steps", arguments: { count: 2, delayMs: 1 } });
    expect(logs.map((l) => l.level)).toEqual(["info", "info"]);
    await session.client.setLoggingLevel("debug");
    logs.length = 0;
    await session.client.callTool({ name: "steps", arguments: { count: 1, delayMs: 1 } });
    expect(logs).toEqual([
      { level: "info", data: { message: "step 1", data: { of: 1 } } },
      { level: "debug", data: "detail of step 1" },
    ]);
    await session.client.setLoggingLevel("warning");
    logs.length = 0;
    await session.client.callTool({ name: "steps", arguments: { count: 1, delayMs: 1 } });
    expect(logs).toEqual([]);
  });

  it("cancels a handler when the client aborts (notifications/cancelled in another POST)", async () => {
    const controller = new AbortController();
    const call = session.client.callTool({ name: "wait", arguments: { tag: "abort" } }, undefined, {
      signal: controller.signal,
    });
    await eventually(async () => ((await seen("abort")).started ? true : undefined));
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    const { cancelled } = await eventually(async () => {
      const state = await seen("abort");
      return state.cancelled === null ? undefined : state;
    });
    expect(cancelled).toBe("cancelled by the client: changed my mind");
  });

  it("applies a handler's budget as on stdio", async () => {
    const result = await session.client.callTool({ name: "spin", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('Tool "spin" stopped: the @timeout budget of tool "spin" (200 ms) ran out');
  });

  it("reads resources and templates, gets prompts and completes arguments", async () => {
    const config = await session.client.readResource({ uri: "config://app" });
    expect(config.contents[0]).toMatchObject({ uri: "config://app", mimeType: "application/json" });
    expect(JSON.parse((config.contents[0] as { text: string }).text)).toMatchObject({ theme: "dark" });
    const profile = await session.client.readResource({ uri: "users://ada/profile" });
    expect(profile.contents[0]).toMatchObject({ text: "profile of ada" });
    await expect(session.client.readResource({ uri: "nope://x" })).rejects.toSatisfy(
      (e) => e instanceof McpError && e.code === -32002,
    );
    const prompt = await session.client.getPrompt({
      name: "greet",
      arguments: { name: "Ada", style: "formal" },
    });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Please greet Ada in a formal way." });
    const completion = await session.client.complete({
      ref: { type: "ref/prompt", name: "greet" },
      argument: { name: "style", value: "f" },
    });
    expect(completion.completion.values).toEqual(["formal"]);
  });

  it("serves many concurrent requests", async () => {
    const calls = Array.from({ length: 50 }, (_, i) =>
      session.client.callTool({ name: "add", arguments: { a: i, b: 1 } }),
    );
    const results = await Promise.all(calls);
    expect(results.map(textOf)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
  });
});
