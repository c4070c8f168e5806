// The dev relay's routing, with stand-in servers: what goes where while servers come and go.
import { describe, expect, it } from "vitest";
import type { Exit, Message, ServerChild } from "../../src/dev/child.js";
import { DevRelay } from "../../src/dev/relay.js";

/** A stand-in server process: records what it receives; `answer` plays its replies. */
class FakeServer {
  readonly received: Message[] = [];
  onMessage: (message: Message, line: string) => void = () => {};
  closed = false;
  generation = 0;
  pid = 0;
  exitInfo: Exit | undefined;
  private exit!: (exit: Exit) => void;
  readonly exited = new Promise<Exit>((resolve) => {
    this.exit = resolve;
  });

  constructor(
    /** Answers requests by method; undefined: no answer. */
    private readonly auto: Record<string, (params: unknown) => object | undefined> = {},
  ) {}

  send(line: string): void {
    const message = JSON.parse(line) as Message;
    this.received.push(message);
    const reply = typeof message.method === "string" ? this.auto[message.method] : undefined;
    if (reply !== undefined && message.id !== undefined) {
      const body = reply(message.params);
      if (body !== undefined) queueMicrotask(() => this.reply({ jsonrpc: "2.0", id: message.id, ...body }));
    }
  }

  reply(message: Message): void {
    this.onMessage(message, JSON.stringify(message));
  }

  die(code: number): void {
    this.exitInfo = { code, signal: null };
    this.exit(this.exitInfo);
  }

  async close(): Promise<Exit> {
    this.closed = true;
    if (this.exitInfo === undefined) this.die(0);
    return this.exitInfo as Exit;
  }

  methods(): unknown[] {
    return this.received.map((m) => m.method);
  }
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "c", version: "1" } },
};

function server(capabilities: object = { tools: {} }): FakeServer {
  return new FakeServer({
    initialize: (params) => ({
      result: {
        protocolVersion: (params as { protocolVersion: string }).protocolVersion,
        capabilities,
        serverInfo: { name: "s", version: "1" },
      },
    }),
    "logging/setLevel": () => ({ result: {} }),
    "prompts/list": () => ({ error: { code: -32601, message: "Method not found" } }),
  });
}

function relay() {
  const sent: Message[] = [];
  const logs: string[] = [];
  const r = new DevRelay({
    send: (line) => sent.push(JSON.parse(line) as Message),
    log: (text) => logs.push(text),
    serverName: "demo",
  });
  const client = (message: object) => r.fromClient(JSON.stringify(message));
  const swap = (s: FakeServer, tools: object[] = []) => r.swap(s as unknown as ServerChild, { tools });
  return { r, sent, logs, client, swap };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("DevRelay", () => {
  it("holds the client's messages until the first server is in, then forwards them in order", async () => {
    const { sent, client, swap } = relay();
    client(INITIALIZE);
    client({ jsonrpc: "2.0", method: "notifications/initialized" });
    const first = server();
    await swap(first);
    await tick();
    expect(first.methods()).toEqual(["initialize", "notifications/initialized"]);
    expect(sent.map((m) => m.id)).toEqual([1]);
  });

  it("tells the client every list can change, and answers a missing list with an empty one", async () => {
    const { sent, client, swap } = relay();
    await swap(server({ tools: {} }));
    client(INITIALIZE);
    await tick();
    expect(sent[0]?.result).toMatchObject({ capabilities: {} });
    expect((sent[0] as { result: { capabilities: object } }).result.capabilities).toEqual({
      tools: { listChanged: true },
      resources: { listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    });
    client({ jsonrpc: "2.0", id: 2, method: "prompts/list" });
    await tick();
    expect(sent[1]).toEqual({ jsonrpc: "2.0", id: 2, result: { prompts: [] } });
  });

  it("replays initialize and the log level to a new server before it takes over", async () => {
    const { sent, client, swap } = relay();
    const first = server();
    await swap(first, [{ name: "a" }]);
    client(INITIALIZE);
    client({ jsonrpc: "2.0", method: "notifications/initialized" });
    client({ jsonrpc: "2.0", id: 2, method: "logging/setLevel", params: { level: "debug" } });
    await tick();
    const second = server();
    expect(await swap(second, [{ name: "b" }])).toBe(true);
    await tick();
    expect(second.methods()).toEqual(["initialize", "notifications/initialized", "logging/setLevel"]);
    expect(second.received[0]?.params).toEqual(INITIALIZE.params);
    expect(second.received[2]?.params).toEqual({ level: "debug" });
    // The replayed answers stay in the relay; the client hears only what changed.
    expect(sent.map((m) => m.method ?? m.id)).toEqual([1, 2, "notifications/tools/list_changed"]);
    expect(first.closed).toBe(true);
  });

  it("sends list_changed only for the lists that changed", async () => {
    const { sent, client, swap, r } = relay();
    await swap(server(), [{ name: "a" }]);
    client(INITIALIZE);
    client({ jsonrpc: "2.0", method: "notifications/initialized" });
    await tick();
    await swap(server(), [{ name: "a", source: "moved.ts:3:1" }]);
    expect(sent.filter((m) => m.method !== undefined)).toEqual([]);
    await r.swap(server() as unknown as ServerChild, { tools: [{ name: "a" }], prompts: [{ name: "p" }] });
    expect(sent.filter((m) => m.method !== undefined).map((m) => m.method)).toEqual([
      "notifications/prompts/list_changed",
    ]);
  });

  it("keeps a request, its progress and its cancellation with the server that took it", async () => {
    const { sent, client, swap } = relay();
    const first = server();
    await swap(first);
    client(INITIALIZE);
    client({ jsonrpc: "2.0", method: "notifications/initialized" });
    await tick();
    client({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "slow", _meta: { progressToken: 7 } },
    });
    const second = server();
    await swap(second);
    expect(first.closed).toBe(false); // it still owes an answer
    first.reply({
      jsonrpc: "2.0",
      method: "notifications/progress",
      params: { progressToken: 7, progress: 1 },
    });
    client({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } });
    client({ jsonrpc: "2.0", id: 8, method: "tools/list" });
    expect(first.methods().at(-1)).toBe("notifications/cancelled");
    expect(second.methods().at(-1)).toBe("tools/list");
    first.reply({ jsonrpc: "2.0", id: 7, result: { content: [], isError: false } });
    expect(sent.slice(-2).map((m) => m.method ?? m.id)).toEqual(["notifications/progress", 7]);
    expect(first.closed).toBe(true); // done: retired
  });

  it("answers what a server owed with an error when it dies, and answers itself until the next one", async () => {
    const { sent, client, swap, logs } = relay();
    const first = server();
    await swap(first);
    client(INITIALIZE);
    await tick();
    client({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "x" } });
    first.die(3);
    await tick();
    expect(sent.at(-1)).toMatchObject({ id: 3, error: { code: -32603 } });
    expect(JSON.stringify(sent.at(-1))).toMatch(/stopped \(exit code 3\)/);
    expect(logs.join("\n")).toMatch(/exited \(exit code 3\)/);
    client({ jsonrpc: "2.0", id: 4, method: "tools/list" });
    client({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "x" } });
    client({ jsonrpc: "2.0", id: 6, method: "ping" });
    expect(sent.slice(-3)).toEqual([
      { jsonrpc: "2.0", id: 4, result: { tools: [] } },
      {
        jsonrpc: "2.0",
        id: 5,
        error: {
          code: -32603,
          message:
            "No server is running: the server exited (exit code 3); save a file to rebuild and restart it. The diagnostics are on stderr.",
        },
      },
      { jsonrpc: "2.0", id: 6, result: {} },
    ]);
  });

  it("keeps the current server when the new one does not initialize", async () => {
    const { client, swap, logs } = relay();
    const first = server();
    await swap(first);
    client(INITIALIZE);
    await tick();
    const broken = new FakeServer({ initialize: () => ({ error: { code: -32603, message: "boom" } }) });
    expect(await swap(broken)).toBe(false);
    expect(broken.closed).toBe(true);
    expect(first.closed).toBe(false);
    client({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(first.methods().at(-1)).toBe("tools/list");
    expect(logs.join("\n")).toMatch(/did not answer initialize; keeping the previous one/);
  });

  it("answers initialize itself when the first build failed", () => {
    const { r, sent, client } = relay();
    r.noServer("the build failed");
    client(INITIALIZE);
    expect(sent[0]).toMatchObject({
      id: 1,
      result: {
        protocolVersion: "2025-06-18",
        serverInfo: { name: "demo" },
        capabilities: { tools: { listChanged: true } },
      },
    });
  });
});
