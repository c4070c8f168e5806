// Scale-out (issue 7): three server processes, each `node dist/server.mjs --http --port N`, behind
// nginx balancing round robin, driven through the proxy by the official SDK client's Streamable
// HTTP transport. Every request must be answered correctly, and nginx's access log must show all
// three backends answering. nginx is installed from Debian's packages when missing (as root); where
// it cannot be, the test is skipped with the reason, except in CI, where it fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOrInstallNginx, type ReverseProxy, startProxy } from "./nginx.js";
import { buildProject, CONFORMANCE_PROJECT, type HttpServer, startHttpServer } from "./servers.mjs";

const IN_CI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const BACKENDS = 3;
const nginx = findOrInstallNginx();
if (nginx.path === undefined && !IN_CI) {
  console.warn(`\n*** SKIPPING the scale-out test: ${nginx.reason} ***\n`);
}

const scratch = mkdtempSync(join(tmpdir(), "fastmcp-scale-out-"));
const backends: HttpServer[] = [];
let proxy: ReverseProxy | undefined;

describe.skipIf(nginx.path === undefined && !IN_CI)("three servers behind nginx (round robin)", () => {
  beforeAll(async () => {
    if (nginx.path === undefined) throw new Error(`nginx is needed in CI: ${nginx.reason}`);
    // The conformance fixture: its tools report progress, its template and prompt echo arguments.
    const server = buildProject(CONFORMANCE_PROJECT);
    for (let i = 0; i < BACKENDS; i++)
      backends.push(await startHttpServer(server, { name: `backend ${i + 1}` }));
    proxy = await startProxy(
      nginx.path,
      join(scratch, "nginx"),
      backends.map((backend) => backend.port),
    );
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    const exits = await Promise.all(backends.map((backend) => backend.stop()));
    rmSync(scratch, { recursive: true, force: true });
    for (const exit of exits) expect(exit.signal === null || exit.signal === "SIGTERM").toBe(true);
  });

  async function connectClient(name: string): Promise<Client> {
    const client = new Client({ name, version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL((proxy as ReverseProxy).url)));
    return client;
  }

  it("answers every request of two clients, sequential and concurrent, through all three backends", async () => {
    const clients = [await connectClient("scale-out-a"), await connectClient("scale-out-b")];
    let requests = 2; // the two initialize requests
    try {
      for (const [c, client] of clients.entries()) {
        // One at a time: consecutive requests of one client land on different processes.
        for (let i = 0; i < 12; i++) {
          const result = await client.callTool({ name: "test_simple_text", arguments: {} });
          expect(result.content).toEqual([
            { type: "text", text: "This is a simple text response for testing." },
          ]);
          requests++;
        }
        // Many at once, of every kind.
        const batch = Array.from({ length: 24 }, async (_, i) => {
          const id = `${c}-${i}`;
          switch (i % 3) {
            case 0: {
              const read = await client.readResource({ uri: `test://template/${id}/data` });
              const [content] = read.contents;
              expect(content !== undefined && "text" in content).toBe(true);
              expect(JSON.parse((content as { text: string }).text)).toMatchObject({
                id,
                templateTest: true,
              });
              break;
            }
            case 1: {
              const prompt = await client.getPrompt({
                name: "test_prompt_with_arguments",
                arguments: { arg1: id, arg2: "x" },
              });
              expect(prompt.messages[0]?.content).toEqual({
                type: "text",
                text: `Prompt with arguments: arg1='${id}', arg2='x'`,
              });
              break;
            }
            default: {
              // Progress notifications come back on the request's own SSE stream, through the proxy.
              const progress: number[] = [];
              const result = await client.request(
                { method: "tools/call", params: { name: "test_tool_with_progress", arguments: {} } },
                CallToolResultSchema,
                { onprogress: (p) => progress.push(p.progress) },
              );
              expect(result.content).toEqual([
                { type: "text", text: "Tool with progress executed successfully" },
              ]);
              expect(progress).toEqual([0, 50, 100]);
            }
          }
        });
        await Promise.all(batch);
        requests += batch.length;
      }
    } finally {
      for (const client of clients) await client.close();
    }

    const log = (proxy as ReverseProxy).accessLog();
    const posts = log.filter((entry) => entry.method === "POST");
    // Every request, and each client's notifications/initialized, was one POST answered with 2xx
    // (the SDK client's GET for a standalone SSE stream gets 405 from a stateless server).
    expect(posts.length).toBe(requests + clients.length);
    expect(posts.filter((entry) => entry.status >= 300)).toEqual([]);
    // No request needed a second try on another backend.
    expect(log.filter((entry) => entry.upstream.includes(","))).toEqual([]);
    const perBackend = new Map<string, number>();
    for (const entry of posts) perBackend.set(entry.upstream, (perBackend.get(entry.upstream) ?? 0) + 1);
    expect([...perBackend.keys()].sort()).toEqual(
      backends.map((backend) => `127.0.0.1:${backend.port}`).sort(),
    );
    // Round robin: each backend answered about a third.
    for (const count of perBackend.values()) expect(count).toBeGreaterThan(posts.length / BACKENDS / 2);
  }, 60_000);
});
