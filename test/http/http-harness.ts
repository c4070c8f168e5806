// Builds a fixture project into a scratch directory, starts its bundle over Streamable HTTP
// (`node dist/server.mjs --http --port 0`, reading `MCP_URL=` from stdout) and connects the
// official SDK client's StreamableHTTPClientTransport to it.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  type StreamableHTTPClientTransportOptions,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { buildFixture as buildProjectFixture } from "../reliability/fixture.js";

export interface BuiltProject {
  readonly dir: string;
  readonly server: string;
  remove(): void;
}

/** Copies `fixtures/projects/<name>` to a scratch directory and builds it there, without a warning. */
export async function buildFixture(name: string, files: Record<string, string> = {}): Promise<BuiltProject> {
  const built = await buildProjectFixture(name, {}, files);
  if (built.diagnostics.length > 0) {
    built.remove();
    throw new Error(`building ${name} failed: ${JSON.stringify(built.diagnostics, null, 2)}`);
  }
  return { dir: built.dir, server: built.serverPath, remove: built.remove };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A server process. */
export class HttpServerProcess {
  static readonly all = new Set<HttpServerProcess>();
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<Exit>;
  stdout = "";
  stderr = "";

  constructor(server: string, args: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [server, ...args], {
      stdio: "pipe",
      env: { ...process.env, ...env },
    });
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    HttpServerProcess.all.add(this);
  }

  /** The endpoint the server announced with `MCP_URL=` on stdout. */
  async url(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /^MCP_URL=(\S+)$/m.exec(this.stdout);
      if (match !== null) return match[1] as string;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no MCP_URL from the server; stderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGTERM, then the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Starts `node <server> --http --port 0 ...args` and waits for its URL. */
export async function startHttp(
  server: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<{ process: HttpServerProcess; url: string }> {
  const started = new HttpServerProcess(server, ["--http", "--port", "0", ...args], env);
  return { process: started, url: await started.url() };
}

/** Kills what a test file left running; returns how many were. */
export function killHttpStrays(): number {
  let stray = 0;
  for (const server of HttpServerProcess.all) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      stray++;
      server.child.kill("SIGKILL");
    }
  }
  HttpServerProcess.all.clear();
  return stray;
}

export interface HttpSession {
  client: Client;
  transport: StreamableHTTPClientTransport;
  close(): Promise<void>;
}

/** The official SDK client over Streamable HTTP. */
export async function connectHttp(
  url: string,
  options: StreamableHTTPClientTransportOptions = {},
): Promise<HttpSession> {
  const transport = new StreamableHTTPClientTransport(new URL(url), options);
  const client = new Client({ name: "fastmcp-http-e2e", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? "";
}

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
