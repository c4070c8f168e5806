// Builds a fixture project into a temporary directory, as a user's project is built, and drives
// the resulting dist/server.mjs on raw pipes, fast: many messages per process, correlated by id.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Builder } from "../../src/compiler/build.js";
import type { ConfigOverrides } from "../../src/compiler/config.js";
import type { Diagnostic } from "../../src/compiler/diagnostics.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface BuiltFixture {
  readonly dir: string;
  readonly serverPath: string;
  /** What the build reported besides success (warnings). */
  readonly diagnostics: readonly Diagnostic[];
  remove(): void;
}

/**
 * Copies fixtures/projects/<name> to a temporary directory, writes `files` over it (paths relative
 * to the project) and builds it there.
 */
export async function buildFixture(
  name: string,
  overrides: ConfigOverrides = {},
  files: Readonly<Record<string, string>> = {},
): Promise<BuiltFixture> {
  const scratch = mkdtempSync(join(tmpdir(), `fastmcp-${name}-`));
  const dir = join(scratch, name);
  cpSync(join(ROOT, "fixtures", "projects", name), dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.fastmcp|node_modules)$/.test(src),
  });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  // As in a real project, its dependencies (here: @types/node) are installed.
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  const result = await new Builder(dir).build({ overrides });
  if (!result.ok || result.serverPath === undefined) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`${name} did not build: ${JSON.stringify(result.diagnostics, null, 2)}`);
  }
  return {
    dir,
    serverPath: result.serverPath,
    diagnostics: result.diagnostics,
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Message = { [key: string]: Json | undefined } & {
  jsonrpc?: Json;
  id?: Json;
  method?: Json;
  result?: Json;
  error?: { code: number; message: string; data?: Json };
};

/**
 * A server on raw pipes. Every stdout line is kept and parsed (a line that is not a JSON-RPC
 * message is recorded in `garbage`); `onMessage` sees each message as it arrives.
 */
export class WireServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly garbage: string[] = [];
  stderr = "";
  stdoutBytes = 0;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  onMessage: (message: Message) => void = () => {};
  private partial = "";
  /** Responses awaited by ask(), by id as JSON. */
  private readonly waiters = new Map<string, (message: Message) => void>();

  constructor(serverPath: string, args: readonly string[] = []) {
    this.child = spawn(process.execPath, [serverPath, ...args], { stdio: "pipe" });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.receive(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => {
      if (this.stderr.length < 1_000_000) this.stderr += chunk.toString();
    });
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private receive(chunk: string): void {
    this.stdoutBytes += chunk.length;
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() as string;
    for (const line of lines) {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        this.garbage.push(line);
        continue;
      }
      if (!isWellFormedOutput(message)) {
        this.garbage.push(line);
        continue;
      }
      const waiter = message.method === undefined ? this.waiters.get(JSON.stringify(message.id)) : undefined;
      if (waiter === undefined) this.onMessage(message);
      else {
        this.waiters.delete(JSON.stringify(message.id));
        waiter(message);
      }
    }
  }

  /** Writes and waits until the pipe has taken it (so that a big batch does not pile up here). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.stdin.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Writes one line, a request with this id (as raw text, so any key can be in it), and resolves with its response. */
  ask(line: string, id: string | number): Promise<Message> {
    const answer = new Promise<Message>((resolve) => this.waiters.set(JSON.stringify(id), resolve));
    return this.write(`${line}\n`).then(() => answer);
  }

  /** tools/call by name: the structured content of the result, or the whole response if it has none. */
  async callTool(name: string, args: object = {}, id = `call-${++this.calls}`): Promise<unknown> {
    const params = { name, arguments: args };
    const response = await this.ask(JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params }), id);
    return (response.result as { structuredContent?: unknown } | undefined)?.structuredContent ?? response;
  }

  private calls = 0;

  /** The server's peak resident set (VmHWM) in bytes, from /proc. */
  peakRss(): number {
    return this.status("VmHWM");
  }

  /** The server's resident set now (VmRSS) in bytes. */
  rss(): number {
    return this.status("VmRSS");
  }

  private status(field: string): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  }

  /** Closes stdin and waits for the exit. */
  end(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }
}

/** A JSON-RPC 2.0 response (id, and result xor error) or notification (method, no id). */
function isWellFormedOutput(value: unknown): value is Message {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const m = value as Message;
  if (m.jsonrpc !== "2.0") return false;
  if (typeof m.method === "string") return !("id" in m) && !("result" in m) && !("error" in m);
  const idOk = m.id === null || typeof m.id === "string" || typeof m.id === "number";
  if (!idOk || "method" in m || "result" in m === "error" in m) return false;
  if ("error" in m) {
    const e = m.error as unknown as Record<string, unknown>;
    return typeof e === "object" && e !== null && Number.isInteger(e.code) && typeof e.message === "string";
  }
  return m.id !== null;
}

export const INITIALIZE = `${JSON.stringify({
  jsonrpc: "2.0",
  id: "init",
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } },
})}\n${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`;
