// Stateless mode: no request needs state from an earlier one, so one SDK client whose
// consecutive POSTs alternate between two server processes is served throughout; and
// `--workers 2` runs two processes on one port (node:cluster), cancellation included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuiltProject,
  buildFixture,
  connectHttp,
  eventually,
  type HttpServerProcess,
  killHttpStrays,
  startHttp,
  textOf,
} from "./http-harness.js";

let project: BuiltProject;
const servers: { process: HttpServerProcess; url: string }[] = [];

beforeAll(async () => {
  project = await buildFixture("http-basic");
  servers.push(...(await Promise.all([startHttp(project.server), startHttp(project.server)])));
}, 60_000);

afterAll(async () => {
  for (const server of servers) expect(await server.process.stop()).toEqual({ code: 0, signal: null });
  project?.remove();
  expect(killHttpStrays()).toBe(0);
});

describe("two processes, one client", () => {
  it("answers every request when consecutive POSTs go to alternate processes", async () => {
    const urls = servers.map((s) => s.url);
    const posts: string[] = [];
    let turn = 0;
    // The smallest round-robin proxy: each request of the client goes to the next process.
    const alternate = (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const target = urls[turn++ % urls.length] as string;
      posts.push(target);
      return fetch(target, init);
    };
    const session = await connectHttp(urls[0] as string, { fetch: alternate });
    try {
      const { tools } = await session.client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      const pids = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const result = await session.client.callTool({ name: "echo", arguments: { text: `#${i}` } });
        expect(result.structuredContent).toMatchObject({ text: `#${i}` });
        pids.add((result.structuredContent as { pid: number }).pid);
      }
      expect(pids.size).toBe(2);
      const progress: number[] = [];
      const streamed = await session.client.callTool({ name: "steps", arguments: { count: 2 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(textOf(streamed)).toBe("2 steps done");
      expect(progress).toEqual([1, 2]);
      expect((await session.client.readResource({ uri: "users://x/profile" })).contents).toHaveLength(1);
      expect(
        (await session.client.getPrompt({ name: "greet", arguments: { name: "Bo" } })).messages,
      ).toHaveLength(1);
      // initialize went to the first process, notifications/initialized to the second, and so on.
      expect(new Set(posts.slice(0, 2))).toEqual(new Set(urls));
    } finally {
      await session.close();
    }
  });
});

const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

let cluster: { process: HttpServerProcess; url: string };

async function whoami(headers: Record<string, string>): Promise<number> {
  const message = { jsonrpc: "2.0", id: 0, method: "tools/call", params: { name: "whoami", arguments: {} } };
  const response = await fetch(cluster.url, { method: "POST", headers, body: JSON.stringify(message) });
  return ((await response.json()) as { result: { structuredContent: { pid: number } } }).result
    .structuredContent.pid;
}

describe("--workers 2", () => {
  beforeAll(async () => {
    cluster = await startHttp(project.server, ["--workers", "2"]);
  });
  afterAll(async () => {
    expect(await cluster.process.stop()).toEqual({ code: 0, signal: null });
  });

  it("announces one URL once both workers listen, and answers from both", async () => {
    expect(cluster.process.stdout.match(/^MCP_URL=/gm)).toHaveLength(1);
    await eventually(async () =>
      cluster.process.stderr.includes(`at ${cluster.url} by 2 worker processes`) ? true : undefined,
    );
    const pids = new Set<number>();
    // Connections are handed out round-robin; `connection: close` makes each request a new one.
    for (let i = 0; i < 4; i++) pids.add(await whoami({ ...HEADERS, connection: "close" }));
    expect(pids.size).toBe(2);
    expect(pids.has(cluster.process.child.pid as number)).toBe(false);
  });

  it("relays a cancellation that reaches the other worker", async () => {
    // With `connection: close` the primary hands each request to the other worker in turn.
    const headers = { ...HEADERS, "mcp-session-id": "relay", connection: "close" };
    const post = (message: object) =>
      fetch(cluster.url, { method: "POST", headers, body: JSON.stringify(message) });
    const first = await whoami(headers);
    const waiting = post({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "wait", arguments: { tag: "relay" } },
    });
    const where = await eventually(
      async () => /wait relay started in (\d+)/.exec(cluster.process.stderr)?.[1],
    );
    expect(Number(where)).not.toBe(first);
    const cancel = await post({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 1, reason: "enough" },
    });
    expect(cancel.status).toBe(202);
    const response = await waiting;
    expect([response.status, await response.text()]).toEqual([200, ""]);
    await eventually(async () =>
      cluster.process.stderr.includes("wait relay ended: cancelled by the client: enough") ? true : undefined,
    );
  });
});
