// Cancellation, streaming choices, the concurrency limit, body limits and shutdown over HTTP,
// with raw fetch against a build of fixtures/projects/http-basic that allows two handlers at a
// time, 4 KiB messages and the endpoint at /limited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuiltProject,
  buildFixture,
  type HttpServerProcess,
  killHttpStrays,
  startHttp,
} from "./http-harness.js";

const BOTH = "application/json, text/event-stream";
const V = "2025-11-25";

let project: BuiltProject;
let server: HttpServerProcess;
let url: string;

beforeAll(async () => {
  project = await buildFixture("http-basic", {
    "fastmcp.config.json": JSON.stringify({
      maxConcurrency: 2,
      maxMessageBytes: 4096,
      http: { path: "/limited" },
    }),
  });
  ({ process: server, url } = await startHttp(project.server));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  project?.remove();
  expect(killHttpStrays()).toBe(0);
});

interface Sent {
  response: Promise<Response>;
  abort(): void;
}

function post(message: object, headers: Record<string, string> = {}, to = url): Sent {
  const controller = new AbortController();
  const response = fetch(to, {
    method: "POST",
    headers: { "content-type": "application/json", accept: BOTH, "mcp-protocol-version": V, ...headers },
    body: JSON.stringify(message),
    signal: controller.signal,
  });
  response.catch(() => {}); // aborted on purpose
  return { response, abort: () => controller.abort() };
}

function call(name: string, args: object, id: number | string): object {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}

function cancel(requestId: number | string, reason?: string): object {
  return { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason } };
}

let nextId = 1000;
async function seen(tag: string, to = url): Promise<{ started: boolean; cancelled: string | null }> {
  const response = await post(call("seen", { tag }, nextId++), {}, to).response;
  return (
    (await response.json()) as {
      result: { structuredContent: { started: boolean; cancelled: string | null } };
    }
  ).result.structuredContent;
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 800; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("timed out");
}

const started = (tag: string, to = url) =>
  until(async () => ((await seen(tag, to)).started ? true : undefined));
const cancelledAs = (tag: string, to = url) =>
  until(async () => (await seen(tag, to)).cancelled ?? undefined);

it("serves at the configured path", () => {
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/limited$/);
});

describe("cancellation over HTTP", () => {
  it("a client that closes its request cancels the handler", async () => {
    const sent = post(call("wait", { tag: "closed" }, 1));
    await started("closed");
    sent.abort();
    expect(await cancelledAs("closed")).toBe(
      "cancelled by the client: the client closed the HTTP connection",
    );
  });

  it("notifications/cancelled in another POST of the session cancels it; its POST ends without a response", async () => {
    const session = { "mcp-session-id": "session-cancel" };
    const sent = post(call("wait", { tag: "notified" }, 1), session);
    await started("notified");
    const ack = await post(cancel(1, "stop"), session).response;
    expect([ack.status, await ack.text()]).toEqual([202, ""]);
    const response = await sent.response;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(await response.text()).toBe("");
    expect(await cancelledAs("notified")).toBe("cancelled by the client: stop");
  });

  it("a cancellation for another session's id, or without a session, cancels nothing", async () => {
    const sent = post(call("wait", { tag: "sessionless" }, 1));
    await started("sessionless");
    expect((await post(cancel(1)).response).status).toBe(202);
    expect((await post(cancel(1), { "mcp-session-id": "someone-else" }).response).status).toBe(202);
    expect(await seen("sessionless")).toEqual({ started: true, cancelled: null });
    sent.abort();
    await cancelledAs("sessionless");
  });
});

describe("JSON or an event stream", () => {
  it("a client that accepts only JSON gets JSON, without the notifications", async () => {
    const message = { ...call("steps", { count: 2, delayMs: 1 }, 2) };
    (message as { params: { _meta?: object } }).params._meta = { progressToken: "p" };
    const response = await post(message, { accept: "application/json" }).response;
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: { content: [{ type: "text", text: "2 steps done" }] },
    });
  });

  it("a client that accepts only event streams gets one event with the result", async () => {
    const response = await post(call("add", { a: 1, b: 2 }, 3), { accept: "text/event-stream" }).response;
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(await response.text()).toBe(
      'event: message\ndata: {"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"3"}]}}\n\n',
    );
  });

  it("progress and logs come first on the stream, then the result; a budget still applies", async () => {
    const message = call("steps", { count: 2, delayMs: 1 }, 4) as { params: { _meta?: object } };
    message.params._meta = { progressToken: 9 };
    const text = await (await post(message).response).text();
    const events = text
      .split("\n\n")
      .filter((e) => e !== "")
      .map((e) => JSON.parse(e.replace(/^event: message\ndata: /, "")) as { method?: string; id?: number });
    expect(events.map((e) => e.method ?? `response ${e.id}`)).toEqual([
      "notifications/progress",
      "notifications/message",
      "notifications/progress",
      "notifications/message",
      "response 4",
    ]);
    const spin = (await (await post(call("spin", {}, 5)).response).json()) as {
      result: { isError?: boolean };
    };
    expect(spin.result.isError).toBe(true);
  });
});

describe("limits", () => {
  it("queues requests past maxConcurrency and starts them in turn", async () => {
    const session = { "mcp-session-id": "session-queue" };
    const first = post(call("wait", { tag: "q1" }, 1), session);
    await started("q1");
    const second = post(call("wait", { tag: "q2" }, 2), session);
    // Every slot is taken now: `seen` would queue too, so the server's stderr tells.
    await until(async () => (server.stderr.includes("wait q2 started in ") ? true : undefined));
    const queued = post(call("add", { a: 40, b: 2 }, 3), session);
    const dropped = post(call("wait", { tag: "q-dropped" }, 4), session);
    // A queued request whose client goes away never starts.
    await new Promise((resolve) => setTimeout(resolve, 50));
    dropped.abort();
    await post(cancel(1), session).response;
    await post(cancel(2), session).response;
    expect(await (await first.response).text()).toBe("");
    expect(await (await second.response).text()).toBe("");
    expect(await (await queued.response).json()).toMatchObject({
      id: 3,
      result: { content: [{ text: "42" }] },
    });
    expect(await seen("q-dropped")).toEqual({ started: false, cancelled: null });
  });

  it("413 past maxMessageBytes, declared or streamed", async () => {
    const big = call("echo", { text: "x".repeat(5000) }, 6);
    const declared = await post(big).response;
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      id: null,
      error: { code: -32600, message: /4096-byte limit/ },
    });
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const streamed = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: BOTH },
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const small = await post(call("echo", { text: "x".repeat(3000) }, 7)).response;
    expect(small.status).toBe(200);
  });
});

describe("shutdown", () => {
  it("SIGTERM answers what runs as shutting down, then exits 0", async () => {
    const own = await startHttp(project.server);
    const sent = post(call("wait", { tag: "shutdown" }, 1), {}, own.url);
    await started("shutdown", own.url);
    own.process.child.kill("SIGTERM");
    const reply = (await (await sent.response).json()) as { error: { message: string } };
    expect(reply).toMatchObject({ id: 1, error: { code: -32603 } });
    expect(reply.error.message).toBe('Tool "wait" stopped: the server is shutting down (received SIGTERM)');
    expect(await own.process.exited).toEqual({ code: 0, signal: null });
  });
});
