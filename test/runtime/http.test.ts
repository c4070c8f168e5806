// The HTTP transport in-process, on a hand-written table: keep-alive comments on a slow request,
// a client that goes away mid-body, and what a closed server does with new requests.
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Context } from "../../src/runtime/context.js";
import { type HttpServer, serveHttp } from "../../src/runtime/http.js";
import type { DispatchTable } from "../../src/runtime/table.js";

let release: () => void = () => {};
let started: Promise<void> = Promise.resolve();
let markStarted: () => void = () => {};
function expectStart(): void {
  started = new Promise((resolve) => {
    markStarted = resolve;
  });
}
const reports: string[] = [];

const table: DispatchTable = {
  server: { name: "unit", version: "1.0.0" },
  tools: [
    {
      name: "quick",
      inputSchema: { type: "object" },
      invoke: async () => "done",
    },
    {
      name: "held",
      inputSchema: { type: "object" },
      invoke: (ctx: Context) =>
        new Promise((resolve, reject) => {
          release = () => resolve("released");
          markStarted();
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
        }),
    },
  ],
  resources: [],
  resourceTemplates: [],
  prompts: [],
};

let server: HttpServer | undefined;
afterEach(async () => {
  server?.close();
  await server?.closed;
  server = undefined;
});

async function start(options: Parameters<typeof serveHttp>[1] = {}): Promise<HttpServer> {
  server = await serveHttp(table, { port: 0, report: (m) => reports.push(m), ...options });
  return server;
}

const held = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "held", arguments: {} },
});
const headers = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

describe("serveHttp", () => {
  it("turns a slow request into an event stream with keep-alive comments, then sends the result", async () => {
    const { url } = await start({ keepAliveMs: 10 });
    const response = await fetch(url, { method: "POST", headers, body: held });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>)
      .pipeThrough(new TextDecoderStream())
      .getReader();
    expect((await reader.read()).value).toBe(": keep-alive\n\n");
    release();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += value;
    }
    expect(rest.replaceAll(": keep-alive\n\n", "")).toBe(
      'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"released"}]}}\n\n',
    );
  });

  it("keeps a JSON-only client's slow request as JSON", async () => {
    const { url } = await start({ keepAliveMs: 10 });
    expectStart();
    const pending = fetch(url, {
      method: "POST",
      headers: { ...headers, accept: "application/json" },
      body: held,
    });
    await started;
    await new Promise((resolve) => setTimeout(resolve, 50)); // several keep-alive intervals
    release();
    const response = await pending;
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toMatchObject({ id: 1, result: { content: [{ text: "released" }] } });
  });

  it("shrugs off a client that goes away in the middle of a body", async () => {
    const { address } = await start();
    reports.length = 0;
    await new Promise<void>((resolve) => {
      const socket = connect(address.port, "127.0.0.1", () => {
        socket.write(
          'POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc":',
        );
        setTimeout(() => socket.destroy(), 20);
      });
      socket.on("close", () => resolve());
    });
    const response = await fetch(server?.url as string, {
      method: "POST",
      headers,
      body: held.replace("held", "nope"),
    });
    expect(response.status).toBe(200);
    expect(reports).toEqual([]);
  });

  it("arms one budget timer for all requests, not one per request that outlives it", async () => {
    const { url } = await start();
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    try {
      for (let id = 1; id <= 50; id++) {
        const body = JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: { name: "quick", arguments: {} },
        });
        const response = await fetch(url, { method: "POST", headers, body });
        expect(await response.json()).toMatchObject({ id, result: { content: [{ text: "done" }] } });
      }
      // A timer for the 60 s default budget stays armed until it fires, whatever it was armed for.
      const budgetTimers = setTimer.mock.calls.filter(([, ms]) => typeof ms === "number" && ms >= 50_000);
      expect(budgetTimers.length).toBeLessThanOrEqual(1);
    } finally {
      setTimer.mockRestore();
    }
  });

  it("answers 503 once the queue behind maxConcurrency is full", async () => {
    const { url } = await start({ maxConcurrency: 1, maxQueued: 1 });
    expectStart();
    const running = fetch(url, { method: "POST", headers, body: held });
    await started;
    // Two more: whichever arrives second finds the queue full; the other waits in it.
    const more = [2, 3].map((id) =>
      fetch(url, { method: "POST", headers, body: held.replace('"id":1', `"id":${id}`) }),
    );
    const busy = await Promise.race(more);
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    const refused = (await busy.json()) as { id: number; error: { code: number; message: string } };
    expect(refused.error).toMatchObject({ code: -32603, message: "Server busy: too many requests waiting" });
    server?.close("test over");
    expect(await (await running).json()).toMatchObject({ id: 1, error: { message: /shutting down/ } });
    const waited = (await more[refused.id === 2 ? 1 : 0]) as Response;
    expect(await waited.json()).toMatchObject({ id: 5 - refused.id, error: { message: /^Not started/ } });
  });

  it("closes: stops listening, answers what runs, resolves closed", async () => {
    const { url } = await start();
    expectStart();
    const pending = fetch(url, { method: "POST", headers, body: held });
    await started;
    server?.close("test over");
    const reply = (await (await pending).json()) as { error: { message: string } };
    expect(reply.error.message).toBe('Tool "held" stopped: the server is shutting down (test over)');
    await server?.closed;
    await expect(fetch(url, { method: "POST", headers, body: held })).rejects.toThrow();
    server = undefined;
  });
});
