// The HTTP endpoint's defaults and refusals, with raw fetch: binding, Origin (DNS rebinding),
// bearer tokens, methods, media types, sizes, protocol versions and malformed bodies. Every
// refusal is a 4xx with a JSON-RPC error body without an id, and nothing leaks a stack trace.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuiltProject,
  buildFixture,
  connectHttp,
  eventually,
  HttpServerProcess,
  killHttpStrays,
  startHttp,
  textOf,
} from "./http-harness.js";

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const BOTH = "application/json, text/event-stream";

let project: BuiltProject;
let server: HttpServerProcess;
let url: string;

beforeAll(async () => {
  project = await buildFixture("http-basic");
  ({ process: server, url } = await startHttp(project.server));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  project?.remove();
  expect(killHttpStrays()).toBe(0);
});

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: { id?: unknown; error?: { code: number; message: string }; result?: unknown } | undefined;
}

async function send(
  body: unknown,
  headers: Record<string, string> = {},
  options: { method?: string; to?: string } = {},
): Promise<Reply> {
  const response = await fetch(options.to ?? url, {
    method: options.method ?? "POST",
    headers: { "content-type": "application/json", accept: BOTH, ...headers },
    ...(options.method === "GET" || options.method === "HEAD"
      ? {}
      : { body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Reply["json"];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

function call(name: string, args: object, id: number | string = 7): object {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}

/** A refusal: the status, a JSON-RPC error without id, and no stack trace. */
function expectRefusal(reply: Reply, status: number, code: number, message: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toBe("application/json");
  expect(reply.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code } });
  expect(reply.json?.error?.message).toMatch(message);
  expect(reply.text).not.toMatch(/\n\s+at /);
}

describe("defaults", () => {
  it("binds to 127.0.0.1 and serves /mcp", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const announced = `serving MCP (Streamable HTTP, stateless) at ${url}`;
    await eventually(async () => (server.stderr.includes(announced) ? true : undefined));
  });

  it("writes only MCP_URL on stdout; console output of handler modules goes to stderr", async () => {
    expect(server.stdout).toBe(`MCP_URL=${url}\n`);
    await eventually(async () => (server.stderr.includes("content module loaded") ? true : undefined));
  });

  it("answers a request without any earlier initialize (stateless)", async () => {
    const reply = await send(call("add", { a: 1, b: 2 }), { "mcp-protocol-version": "2025-06-18" });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: "3" }] } });
  });

  it("gives initialize a new session id, and takes any later one", async () => {
    const first = await send(INIT);
    const second = await send(INIT);
    const id = first.headers.get("mcp-session-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get("mcp-session-id")).not.toBe(id);
    const reply = await send(call("add", { a: 1, b: 1 }), { "mcp-session-id": "made-up" });
    expect(reply.status).toBe(200);
  });

  it("assumes 2025-03-26 without MCP-Protocol-Version: no structuredContent", async () => {
    const reply = await send(call("echo", { text: "x" }));
    expect(reply.json?.result).not.toHaveProperty("structuredContent");
    const modern = await send(call("echo", { text: "x" }), { "mcp-protocol-version": "2025-11-25" });
    expect(modern.json?.result).toHaveProperty("structuredContent");
  });

  it("answers notifications and responses with 202 and no body", async () => {
    const notification = await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect([notification.status, notification.text]).toEqual([202, ""]);
    const response = await send({ jsonrpc: "2.0", id: 5, result: {} });
    expect([response.status, response.text]).toEqual([202, ""]);
  });
});

describe("refusals", () => {
  it("404 for another path", async () => {
    const other = url.replace(/\/mcp$/, "/other");
    expectRefusal(await send(INIT, {}, { to: other }), 404, -32600, /the MCP endpoint is \/mcp/);
  });

  it.each(["GET", "DELETE", "PUT"])(
    "405 with Allow for %s (stateless: no stream, no session to end)",
    async (method) => {
      const reply = await send(undefined, {}, { method });
      expectRefusal(reply, 405, -32600, new RegExp(`Method not allowed: ${method}`));
      expect(reply.headers.get("allow")).toBe("POST, OPTIONS");
    },
  );

  it("415 for a body that is not application/json", async () => {
    expectRefusal(
      await send(INIT, { "content-type": "text/plain" }),
      415,
      -32600,
      /Content-Type must be application\/json, got text\/plain/,
    );
    const charset = await send(INIT, { "content-type": "application/json; charset=utf-8" });
    expect(charset.status).toBe(200);
  });

  it("406 when the client accepts neither JSON nor an event stream", async () => {
    expectRefusal(await send(INIT, { accept: "text/html" }), 406, -32600, /Accept must include/);
  });

  it("400 for an unsupported MCP-Protocol-Version", async () => {
    const reply = await send(call("add", { a: 1, b: 2 }), { "mcp-protocol-version": "1999-01-01" });
    expectRefusal(reply, 400, -32600, /unsupported MCP-Protocol-Version 1999-01-01/);
  });

  it("400 for a session id that is not 1-256 visible ASCII characters", async () => {
    const reply = await send(call("add", { a: 1, b: 2 }), { "mcp-session-id": "x".repeat(300) });
    expectRefusal(reply, 400, -32600, /Mcp-Session-Id/);
  });

  it("400 -32700 for malformed JSON, 400 -32600 for batches and non-objects", async () => {
    expectRefusal(await send('{"jsonrpc": "2.0", "id": 1,'), 400, -32700, /Parse error/);
    expectRefusal(await send([INIT]), 400, -32600, /batches are not supported/);
    expectRefusal(await send("42"), 400, -32600, /must be an object/);
    expectRefusal(
      await send({ jsonrpc: "2.0", id: {}, method: "ping" }),
      400,
      -32600,
      /id must be a string or a number/,
    );
  });

  // Found by the HTTP fuzzer (test/reliability/fuzz-http.test.ts):
  it("400 -32600 for a message without a usable id also when the client takes only event streams (it got 200 and an event)", async () => {
    const reply = await send({ jsonrpc: "2.0", id: null, method: "ping" }, { accept: "text/event-stream" });
    expectRefusal(reply, 400, -32600, /id must be a string or a number/);
  });

  it("400 -32700 for a body that is not UTF-8 (it was served with U+FFFD in place of the bad bytes)", async () => {
    const bad = Buffer.concat([
      Buffer.from('{"jsonrpc":"2.0","id":"a'),
      Buffer.from([0xff]),
      Buffer.from('","method":"ping"}'),
    ]);
    expectRefusal(await send(bad), 400, -32700, /not valid UTF-8/);
    // Valid UTF-8 that decodes to U+FFFD is fine.
    const ok = await send({ jsonrpc: "2.0", id: "ok-\ufffd", method: "ping" });
    expect(ok.json).toEqual({ jsonrpc: "2.0", id: "ok-\ufffd", result: {} });
  });

  it("400 -32600 for a response whose id is no id (it got 202, as a response does)", async () => {
    for (const id of [{}, [], true]) {
      const reply = await send({ jsonrpc: "2.0", id, result: {} });
      expectRefusal(reply, 400, -32600, /Invalid Request/);
    }
    expect((await send({ jsonrpc: "2.0", id: null, error: { code: 1, message: "x" } })).status).toBe(202);
    expect((await send({ jsonrpc: "2.0", id: 5, result: {} })).status).toBe(202);
  });

  it("413 for a body declared larger than the message limit, before reading it", async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: BOTH,
          "content-length": String(65 * 1024 * 1024),
        },
      });
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.write("{");
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it("an id in flight in the same session is refused, as on stdio", async () => {
    const headers = { "mcp-session-id": "dup-session", "mcp-protocol-version": "2025-11-25" };
    const controller = new AbortController();
    const first = fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: BOTH, ...headers },
      body: JSON.stringify(call("wait", { tag: "dup" }, 1)),
      signal: controller.signal,
    }).catch(() => undefined);
    await waitStarted("dup");
    const second = await send(call("add", { a: 1, b: 2 }, 1), headers);
    expectRefusal(second, 400, -32600, /id 1 is in use by a request in flight/);
    controller.abort();
    await first;
  });

  it("a panic answers with a reference, the stack stays in the server's stderr", async () => {
    const reply = await send(call("crash", {}), { "mcp-protocol-version": "2025-11-25" });
    expect(reply.status).toBe(200);
    expect(reply.json?.error?.message).toMatch(
      /^Internal error in tool "crash" \(ref [0-9a-f]{8}\); see the server log$/,
    );
    expect(reply.text).not.toContain("secret internal detail");
  });
});

async function waitStarted(tag: string, to = url): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const reply = await send(call("seen", { tag }), { "mcp-protocol-version": "2025-11-25" }, { to });
    if ((reply.json?.result as { structuredContent?: { started?: boolean } })?.structuredContent?.started)
      return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`wait ${tag} never started`);
}

describe("Origin (DNS-rebinding protection)", () => {
  it("403 for a foreign origin; loopback origins and requests without Origin are served", async () => {
    expectRefusal(
      await send(INIT, { origin: "http://evil.example.com" }),
      403,
      -32600,
      /origin http:\/\/evil\.example\.com is not allowed/,
    );
    expectRefusal(await send(INIT, { origin: "null" }), 403, -32600, /not allowed/);
    for (const origin of ["http://localhost:5173", "http://127.0.0.1", "https://[::1]:8443"]) {
      const reply = await send(INIT, { origin });
      expect(reply.status, origin).toBe(200);
      expect(reply.headers.get("access-control-allow-origin")).toBe(origin);
      expect(reply.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    }
    expect((await send(INIT)).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a CORS preflight from an allowed origin", async () => {
    const reply = await send(undefined, { origin: "http://localhost:5173" }, { method: "OPTIONS" });
    expect(reply.status).toBe(204);
    expect(reply.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(reply.headers.get("access-control-allow-headers")).toContain("Mcp-Session-Id");
  });

  it("takes an allow-list instead (--allowed-origins), which replaces the loopback default", async () => {
    const other = await startHttp(project.server, ["--allowed-origins", "https://app.example.com"]);
    try {
      const allowed = await send(INIT, { origin: "https://app.example.com" }, { to: other.url });
      expect(allowed.status).toBe(200);
      const loopback = await send(INIT, { origin: "http://localhost:5173" }, { to: other.url });
      expect(loopback.status).toBe(403);
    } finally {
      expect(await other.process.stop()).toEqual({ code: 0, signal: null });
    }
  });
});

describe("bearer token (FASTMCP_HTTP_TOKEN)", () => {
  let guarded: { process: HttpServerProcess; url: string };
  beforeAll(async () => {
    guarded = await startHttp(project.server, [], { FASTMCP_HTTP_TOKEN: "s3cret-token" });
  });
  afterAll(async () => {
    await guarded.process.stop();
  });

  it("401 with WWW-Authenticate without a token, or with a wrong one", async () => {
    const missing = await send(INIT, {}, { to: guarded.url });
    expectRefusal(missing, 401, -32600, /needs an Authorization: Bearer token/);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="mcp"');
    const wrong = await send(INIT, { authorization: "Bearer s3cret-tokeN" }, { to: guarded.url });
    expectRefusal(wrong, 401, -32600, /not valid/);
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="mcp", error="invalid_token"');
    const basic = await send(INIT, { authorization: "Basic czNjcmV0LXRva2Vu" }, { to: guarded.url });
    expect(basic.status).toBe(401);
    expect((await send(undefined, {}, { method: "GET", to: guarded.url })).status).toBe(401);
  });

  it("serves a client that sends the token", async () => {
    const right = await send(INIT, { authorization: "Bearer s3cret-token" }, { to: guarded.url });
    expect(right.status).toBe(200);
    const session = await connectHttp(guarded.url, {
      requestInit: { headers: { authorization: "Bearer s3cret-token" } },
    });
    try {
      expect(textOf(await session.client.callTool({ name: "add", arguments: { a: 20, b: 22 } }))).toBe("42");
    } finally {
      await session.close();
    }
  });
});

describe("the command line", () => {
  it.each([
    [["--bogus"], /unknown argument "--bogus"/],
    [["--port", "80"], /--port applies to the HTTP transport: add --http/],
    [["--http", "--port", "99999"], /--port must be a port number from 0 to 65535/],
    [["--http", "--path", "mcp"], /--path must be a path starting with \//],
  ])("refuses %j with a usage message and exit code 2", async (args, message) => {
    const child = new HttpServerProcess(project.server, args);
    expect(await child.exited).toEqual({ code: 2, signal: null });
    expect(child.stderr).toMatch(message);
    expect(child.stderr).toContain("usage: node server.mjs");
    expect(child.stdout).toBe("");
  });

  it("takes the transport, port, host and path from FASTMCP_* variables", async () => {
    const child = new HttpServerProcess(project.server, [], {
      FASTMCP_TRANSPORT: "http",
      FASTMCP_PORT: "0",
      FASTMCP_HOST: "localhost",
      FASTMCP_PATH: "/api/mcp",
    });
    try {
      const at = await child.url();
      expect(at).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+\/api\/mcp$/);
      expect((await send(INIT, {}, { to: at })).status).toBe(200);
    } finally {
      expect(await child.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
